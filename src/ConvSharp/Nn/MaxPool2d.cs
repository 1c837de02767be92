namespace ConvSharp.Nn;

/// <summary>2D max pooling, as <c>torch.nn.MaxPool2d</c>; see <see cref="Functional.MaxPool2d"/>.</summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates the layer; the arguments are checked against each input's shape when it runs.</summary>
    public MaxPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false)
    {
        (KernelSize, Stride, Padding, Dilation, CeilMode) = (kernelSize, stride ?? kernelSize, padding ?? 0, dilation ?? 1, ceilMode);
        PoolingRepr.CheckPositive(KernelSize, "kernel_size");
        PoolingRepr.CheckPositive(Stride, "stride");
        PoolingRepr.CheckPositive(Dilation, "dilation");
    }

    /// <summary>(KH, KW).</summary>
    public Size2 KernelSize { get; }

    /// <summary>Step between windows (the kernel size unless given).</summary>
    public Size2 Stride { get; }

    /// <summary>Border, counted as −∞.</summary>
    public Size2 Padding { get; }

    /// <summary>Spacing between taps.</summary>
    public Size2 Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={PoolingRepr.Format(KernelSize)}, stride={PoolingRepr.Format(Stride)}, padding={PoolingRepr.Format(Padding)}, " +
        $"dilation={PoolingRepr.Format(Dilation)}, ceil_mode={(CeilMode ? "True" : "False")}";
}
