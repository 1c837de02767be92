using ConvSharp.Autograd;
using ConvSharp.Compute;

namespace ConvSharp.Convolution;

/// <summary>
/// <c>conv_transpose2d</c> and its autograd node. A transposed convolution is the adjoint of the
/// convolution described by its geometry (see <see cref="ConvGeometries.ConvTranspose2d"/>): its
/// forward pass is that convolution's input gradient, its input gradient is that convolution's
/// forward pass, and its weight gradient is that convolution's weight gradient with the roles of
/// input and output gradient swapped.
/// </summary>
internal static class ConvTranspose2dFunction
{
    /// <param name="input">(N, C_in, H, W) = the adjoint convolution's output shape</param>
    /// <param name="weight">(C_in, OC/groups, KH, KW) = the adjoint convolution's weight shape</param>
    /// <param name="bias">(OC), or null</param>
    /// <param name="g">the geometry of the adjoint convolution</param>
    public static Tensor Forward(Tensor input, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        var options = ConvPlanOptions.Current;
        var result = Tensor.Uninitialized(g.InputShape);
        var output = result.Storage.Data;
        ConvEngine.BackwardInput(g, input.ContiguousSpan(), weight.ContiguousSpan(), output, options);
        if (bias is not null)
        {
            AddBias(output, bias.ContiguousSpan(), g.H * g.W);
        }

        return Tensor.Record(result, () => new ConvolutionBackward1(input, weight, bias, g, options), input, weight, bias);
    }

    private static void AddBias(Span<float> output, ReadOnlySpan<float> bias, int plane)
    {
        for (var i = 0; i < output.Length; i++)
        {
            output[i] += bias[i / plane % bias.Length];
        }
    }
}

/// <summary>Gradients of conv_transpose2d for input, weight and bias (PyTorch calls it ConvolutionBackward0 too).</summary>
internal sealed class ConvolutionBackward1(Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, ConvPlanOptions options) : Node
{
    private readonly SavedTensor _input = new(input);
    private readonly SavedTensor _weight = new(weight);

    internal override bool SavesTensors => true;

    public override string Name => "ConvolutionBackward0";

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        var g = geometry;
        var go = gradOutput.ContiguousSpan();
        Tensor? gradInput = null, gradWeight = null, gradBias = null;
        if (NeedsInputGrad(0))
        {
            gradInput = Tensor.Uninitialized(g.OutputShape);
            ConvEngine.Forward(g, go, _weight.Get(this).ContiguousSpan(), default, gradInput.Storage.Data, options);
        }

        if (NeedsInputGrad(1))
        {
            gradWeight = Tensor.Uninitialized(g.WeightShape);
            ConvEngine.BackwardWeight(g, _input.Get(this).ContiguousSpan(), go, gradWeight.Storage.Data, options);
        }

        if (bias is not null && NeedsInputGrad(2))
        {
            // The transposed convolution's output is the underlying convolution's input: (N, C, H, W).
            var buffer = new float[g.C];
            ConvEngine.BackwardBias(g.N, g.C, g.H * g.W, go, buffer);
            gradBias = new Tensor(buffer, [g.C]);
        }

        return [gradInput, gradWeight, gradBias];
    }
}
