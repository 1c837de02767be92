namespace ConvSharp.Nn;

/// <summary>2D average pooling, as <c>torch.nn.AvgPool2d</c>; see <see cref="Functional.AvgPool2d"/>.</summary>
public sealed class AvgPool2d : Module
{
    /// <summary>Creates the layer; the arguments are checked against each input's shape when it runs.</summary>
    public AvgPool2d(
        Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        (KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride) =
            (kernelSize, stride ?? kernelSize, padding ?? 0, ceilMode, countIncludePad, divisorOverride);
        PoolingRepr.CheckPositive(KernelSize, "kernel_size");
        PoolingRepr.CheckPositive(Stride, "stride");
        if (divisorOverride == 0)
        {
            throw new ArgumentException("AvgPool2d: divisor must be not zero (divisor_override=0)", nameof(divisorOverride));
        }
    }

    /// <summary>(KH, KW).</summary>
    public Size2 KernelSize { get; }

    /// <summary>Step between windows (the kernel size unless given).</summary>
    public Size2 Stride { get; }

    /// <summary>Zero border.</summary>
    public Size2 Padding { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether the padding counts in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <summary>A fixed divisor, or null.</summary>
    public int? DivisorOverride { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        Functional.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={PoolingRepr.Format(KernelSize)}, stride={PoolingRepr.Format(Stride)}, padding={PoolingRepr.Format(Padding)}";
}
