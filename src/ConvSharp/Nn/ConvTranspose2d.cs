namespace ConvSharp.Nn;

/// <summary>
/// A transposed 2D convolution layer, as <c>torch.nn.ConvTranspose2d</c>: weight
/// (C, OC/groups, KH, KW) and bias (OC), initialised as PyTorch does, U(±1/√fan_in) with
/// fan_in = (OC/groups)·KH·KW (PyTorch computes it from the weight's second dimension).
/// </summary>
public sealed class ConvTranspose2d : Module
{
    /// <summary>Creates the layer and draws its initial parameters from the global generator.</summary>
    public ConvTranspose2d(
        int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? outputPadding = null, int groups = 1, bool bias = true, Size2? dilation = null)
    {
        (Stride, Padding, OutputPadding, Dilation) = (stride ?? 1, padding ?? 0, outputPadding ?? 0, dilation ?? 1);
        ConvLayerChecks.Validate(inChannels, outChannels, kernelSize, groups, Stride, Dilation);
        if (Padding.H < 0 || Padding.W < 0 || OutputPadding.H < 0 || OutputPadding.W < 0)
        {
            throw new ArgumentException($"padding {Padding} and output_padding {OutputPadding} must not be negative");
        }

        if ((OutputPadding.H >= Stride.H && OutputPadding.H >= Dilation.H) || (OutputPadding.W >= Stride.W && OutputPadding.W >= Dilation.W))
        {
            throw new ArgumentException(
                $"output padding must be smaller than either stride or dilation, but got output_padding {OutputPadding}, stride {Stride}, dilation {Dilation}",
                nameof(outputPadding));
        }

        (InChannels, OutChannels, KernelSize, Groups) = (inChannels, outChannels, kernelSize, groups);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(inChannels, outChannels / groups, kernelSize.H, kernelSize.W)));
        Bias = bias ? RegisterParameter("bias", new Parameter(Tensor.Zeros(outChannels))) : null;
        ConvLayerChecks.ResetParameters(Weight, Bias);
    }

    /// <summary>Input channels C.</summary>
    public int InChannels { get; }

    /// <summary>Output channels OC.</summary>
    public int OutChannels { get; }

    /// <summary>(KH, KW).</summary>
    public Size2 KernelSize { get; }

    /// <summary>Spacing of the patches in the output.</summary>
    public Size2 Stride { get; }

    /// <summary>Rows and columns removed from each border of the full output.</summary>
    public Size2 Padding { get; }

    /// <summary>Extra rows and columns at the bottom and right.</summary>
    public Size2 OutputPadding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public Size2 Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>(C, OC/groups, KH, KW).</summary>
    public Parameter Weight { get; }

    /// <summary>(OC), or null when created with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        var text = $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}";
        if (Padding != new Size2(0, 0))
        {
            text += $", padding={Padding}";
        }

        if (Dilation != new Size2(1, 1))
        {
            text += $", dilation={Dilation}";
        }

        if (OutputPadding != new Size2(0, 0))
        {
            text += $", output_padding={OutputPadding}";
        }

        if (Groups != 1)
        {
            text += $", groups={Groups}";
        }

        return Bias is null ? text + ", bias=False" : text;
    }
}
