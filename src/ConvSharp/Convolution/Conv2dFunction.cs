using ConvSharp.Autograd;
using ConvSharp.Compute;

namespace ConvSharp.Convolution;

/// <summary>
/// <c>conv2d</c> on (N, C, H, W) with zero padding, and its autograd node. The numbers come from
/// the compute engine (<see cref="ConvEngine"/>), which plans each direction on its own; this
/// file only moves tensors. Backward uses the options that were in force for the forward call.
/// </summary>
internal static class Conv2dFunction
{
    public static Tensor Forward(Tensor input, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        var options = ConvPlanOptions.Current;
        var result = Tensor.Uninitialized(g.OutputShape);
        ConvEngine.Forward(g, input.ContiguousSpan(), weight.ContiguousSpan(), bias is null ? default : bias.ContiguousSpan(), result.Storage.Data, options);
        return Tensor.Record(result, () => new ConvolutionBackward0(input, weight, bias, g, options), input, weight, bias);
    }
}

/// <summary>Gradients of conv2d for input, weight and bias; computes only those that some leaf needs.</summary>
internal sealed class ConvolutionBackward0(Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, ConvPlanOptions options) : Node
{
    private readonly SavedTensor _input = new(input);
    private readonly SavedTensor _weight = new(weight);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        var g = geometry;
        var go = gradOutput.ContiguousSpan();
        Tensor? gradInput = null, gradWeight = null, gradBias = null;
        if (NeedsInputGrad(0))
        {
            gradInput = Tensor.Uninitialized(g.InputShape);
            ConvEngine.BackwardInput(g, go, _weight.Get(this).ContiguousSpan(), gradInput.Storage.Data, options);
        }

        if (NeedsInputGrad(1))
        {
            gradWeight = Tensor.Uninitialized(g.WeightShape);
            ConvEngine.BackwardWeight(g, go, _input.Get(this).ContiguousSpan(), gradWeight.Storage.Data, options);
        }

        if (bias is not null && NeedsInputGrad(2))
        {
            var buffer = new float[g.OC];
            ConvEngine.BackwardBias(g.N, g.OC, g.OH * g.OW, go, buffer);
            gradBias = new Tensor(buffer, [g.OC]);
        }

        return [gradInput, gradWeight, gradBias];
    }
}
