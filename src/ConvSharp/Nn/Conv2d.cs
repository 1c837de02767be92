namespace ConvSharp.Nn;

/// <summary>
/// A 2D convolution layer, as <c>torch.nn.Conv2d</c>: weight (OC, C/groups, KH, KW) and bias
/// (OC), initialised as PyTorch does, U(±1/√fan_in) with fan_in = (C/groups)·KH·KW.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates the layer and draws its initial parameters from the global generator.</summary>
    public Conv2d(
        int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Padding padding = default,
        Size2? dilation = null, int groups = 1, bool bias = true, PaddingMode paddingMode = PaddingMode.Zeros)
    {
        Stride = stride ?? 1;
        Dilation = dilation ?? 1;
        ConvLayerChecks.Validate(inChannels, outChannels, kernelSize, groups, Stride, Dilation);
        if (padding.Top < 0 || padding.Bottom < 0 || padding.Left < 0 || padding.Right < 0)
        {
            throw new ArgumentException($"negative padding is not supported (padding {padding})", nameof(padding));
        }

        (InChannels, OutChannels, KernelSize, Padding, Groups, PaddingMode) =
            (inChannels, outChannels, kernelSize, padding, groups, paddingMode);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outChannels, inChannels / groups, kernelSize.H, kernelSize.W)));
        Bias = bias ? RegisterParameter("bias", new Parameter(Tensor.Zeros(outChannels))) : null;
        ResetParameters();
    }

    /// <summary>Input channels C.</summary>
    public int InChannels { get; }

    /// <summary>Output channels OC.</summary>
    public int OutChannels { get; }

    /// <summary>(KH, KW).</summary>
    public Size2 KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public Size2 Stride { get; }

    /// <summary>Border added before sliding.</summary>
    public Padding Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public Size2 Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <summary>What the border holds.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>(OC, C/groups, KH, KW).</summary>
    public Parameter Weight { get; }

    /// <summary>(OC), or null when created with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>Redraws weight and bias as PyTorch's <c>reset_parameters</c> does (weight first, then bias).</summary>
    public void ResetParameters() => ConvLayerChecks.ResetParameters(Weight, Bias);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups, PaddingMode);

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        var text = $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}";
        if (Padding != default)
        {
            text += $", padding={Padding}";
        }

        if (Dilation != new Size2(1, 1))
        {
            text += $", dilation={Dilation}";
        }

        if (Groups != 1)
        {
            text += $", groups={Groups}";
        }

        if (Bias is null)
        {
            text += ", bias=False";
        }

        if (PaddingMode != PaddingMode.Zeros)
        {
            text += $", padding_mode={PaddingMode.ToString().ToLowerInvariant()}";
        }

        return text;
    }
}
