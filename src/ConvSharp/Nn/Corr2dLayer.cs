namespace ConvSharp.Nn;

/// <summary>
/// The chapter's own <c>Conv2D</c> layer: a weight (initialised uniformly in [0, 1), as the
/// book's <c>torch.rand(kernel_size)</c>) and a scalar bias (zero), and a forward pass that is
/// <c>corr2d(x, weight) + bias</c> on a 2-D input.
/// </summary>
public sealed class Corr2dLayer : Module
{
    /// <summary>Creates the layer with a kernel of <paramref name="kernelSize"/>.</summary>
    public Corr2dLayer(Size2 kernelSize)
    {
        if (kernelSize.H <= 0 || kernelSize.W <= 0)
        {
            throw new ArgumentException($"kernel_size must be positive, but got {kernelSize}", nameof(kernelSize));
        }

        Weight = RegisterParameter("weight", new Parameter(Tensor.Rand(kernelSize.H, kernelSize.W)));
        Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(1)));
    }

    /// <summary>(KH, KW).</summary>
    public Parameter Weight { get; }

    /// <summary>One value added to every output.</summary>
    public Parameter Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Corr2d(input, Weight) + Bias;
}
