using ConvSharp.Pooling;

namespace ConvSharp;

public static partial class Functional
{
    /// <summary>
    /// 2D max pooling, as <c>F.max_pool2d</c>: the maximum of each KH×KW window (taps
    /// <paramref name="dilation"/> apart). The border counts as −∞; NaN wins over any number; the
    /// gradient goes to the first of equal maxima, as PyTorch's indices.
    /// </summary>
    /// <param name="input">(N, C, H, W), or (C, H, W) for one image</param>
    /// <param name="kernelSize">window size</param>
    /// <param name="stride">step between windows; default the kernel size</param>
    /// <param name="padding">border on each side, at most half the kernel size; default 0</param>
    /// <param name="dilation">spacing between taps; default 1</param>
    /// <param name="ceilMode">round the output size up, as long as the last window starts inside the input or its left padding</param>
    /// <returns>(N, C, OH, OW) with OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1 (⌈⌉ in ceil mode)</returns>
    public static Tensor MaxPool2d(
        Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = PoolGeometries.Window("max_pool2d", input.Dims, kernelSize, stride ?? kernelSize, padding ?? 0, dilation ?? 1, ceilMode);
        return MaxPool2dFunction.Forward(input, g);
    }

    /// <summary>
    /// 2D average pooling, as <c>F.avg_pool2d</c>: the mean of each KH×KW window.
    /// </summary>
    /// <param name="input">(N, C, H, W), or (C, H, W) for one image</param>
    /// <param name="kernelSize">window size</param>
    /// <param name="stride">step between windows; default the kernel size</param>
    /// <param name="padding">zero border on each side, at most half the kernel size; default 0</param>
    /// <param name="ceilMode">round the output size up, as long as the last window starts inside the input or its left padding</param>
    /// <param name="countIncludePad">divide by the window's size within the padded input (true, PyTorch's default) or within the input alone</param>
    /// <param name="divisorOverride">divide by this instead; not zero</param>
    /// <returns>(N, C, OH, OW) with OH = ⌊(H + 2·padding − KH) / stride⌋ + 1 (⌈⌉ in ceil mode)</returns>
    public static Tensor AvgPool2d(
        Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = PoolGeometries.Window("avg_pool2d", input.Dims, kernelSize, stride ?? kernelSize, padding ?? 0, 1, ceilMode);
        if (divisorOverride == 0)
        {
            throw new ArgumentException("avg_pool2d: divisor must be not zero (divisor_override=0)", nameof(divisorOverride));
        }

        return AvgPool2dFunction.Forward(input, g, new AvgPoolOptions(countIncludePad, divisorOverride));
    }

    /// <summary>
    /// 2D adaptive average pooling, as <c>F.adaptive_avg_pool2d</c>: output (i, j) is the mean of
    /// rows [⌊i·H/OH⌋, ⌈(i + 1)·H/OH⌉) and the columns likewise, for any positive output size,
    /// larger than the input too.
    /// </summary>
    /// <param name="input">(N, C, H, W), or (C, H, W) for one image</param>
    /// <param name="outputSize">(OH, OW), both positive</param>
    /// <returns>(N, C, OH, OW)</returns>
    public static Tensor AdaptiveAvgPool2d(Tensor input, Size2 outputSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = PoolGeometries.Adaptive("adaptive_avg_pool2d", input.Dims, outputSize);
        return AdaptiveAvgPool2dFunction.Forward(input, g);
    }
}
