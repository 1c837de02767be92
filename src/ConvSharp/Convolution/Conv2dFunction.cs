using ConvSharp.Autograd;
using ConvSharp.Compute.Reference;

namespace ConvSharp.Convolution;

/// <summary>
/// <c>conv2d</c> on (N, C, H, W) with zero padding, and its autograd node. The numbers come from
/// <see cref="ConvReference"/> until the fast engine takes over; this file only moves tensors.
/// </summary>
internal static class Conv2dFunction
{
    public static Tensor Forward(Tensor input, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        var output = new float[g.N * g.OC * g.OH * g.OW];
        ConvReference.Forward(
            g, input.ContiguousSpan(), weight.ContiguousSpan(), bias is null ? default : bias.ContiguousSpan(), output);
        return Tensor.Record(new Tensor(output, g.OutputShape), () => new ConvolutionBackward0(input, weight, bias, g), input, weight, bias);
    }
}

/// <summary>Gradients of conv2d for input, weight and bias; skips those nobody needs.</summary>
internal sealed class ConvolutionBackward0(Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry) : Node
{
    private readonly SavedTensor _input = new(input);
    private readonly SavedTensor _weight = new(weight);

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        var g = geometry;
        var go = gradOutput.ContiguousSpan();
        Tensor? gradInput = null, gradWeight = null, gradBias = null;
        if (NeedsInputGrad(0))
        {
            var buffer = new float[g.N * g.C * g.H * g.W];
            ConvReference.BackwardInput(g, go, _weight.Get(this).ContiguousSpan(), buffer);
            gradInput = new Tensor(buffer, g.InputShape);
        }

        if (NeedsInputGrad(1))
        {
            var buffer = new float[weight.NumElements];
            ConvReference.BackwardWeight(g, go, _input.Get(this).ContiguousSpan(), buffer);
            gradWeight = new Tensor(buffer, g.WeightShape);
        }

        if (bias is not null && NeedsInputGrad(2))
        {
            var buffer = new float[g.OC];
            ConvReference.BackwardBias(g, go, buffer);
            gradBias = new Tensor(buffer, [g.OC]);
        }

        return [gradInput, gradWeight, gradBias];
    }
}
