namespace ConvSharp.Pooling;

/// <summary>
/// Checks the arguments of a pooling call as PyTorch 1.13 does and derives its
/// <see cref="PoolGeometry"/>. Sizes are computed in 64 bits, so no argument, however large,
/// can wrap around (the kernels compute window bounds in 64 bits too, so a kernel of
/// int.MaxValue padded by half of it is a valid call, as in PyTorch); every error is an <see cref="ArgumentException"/> that names the shapes and
/// the rule that failed.
/// </summary>
internal static class PoolGeometries
{
    /// <summary>max_pool2d / avg_pool2d (dilation 1): kernel, stride, padding, dilation and the output size rule with ceil mode.</summary>
    public static PoolGeometry Window(
        string op, int[] input, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation, bool ceilMode)
    {
        var (planes, h, w) = Planes(op, input, emptyChannelsAllowed: false);
        Positive(op, "kernel_size", kernel);
        Positive(op, "stride", stride);
        Positive(op, "dilation", dilation);
        if (padding.H < 0 || padding.W < 0)
        {
            throw new ArgumentException($"{op}: pad must be non-negative, but got padding={padding}", nameof(padding));
        }

        // PyTorch 1.13 compares the padding with the kernel size itself, not with the dilated kernel.
        if (padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
        {
            throw new ArgumentException(
                $"{op}: pad should be at most half of kernel size, but got padding={padding} and kernel_size={kernel}", nameof(padding));
        }

        var oh = OutputSize(h, kernel.H, stride.H, padding.H, dilation.H, ceilMode);
        var ow = OutputSize(w, kernel.W, stride.W, padding.W, dilation.W, ceilMode);
        if (oh < 1 || ow < 1)
        {
            throw new ArgumentException(
                $"{op}: given input size ({Channels(input)}x{h}x{w}), kernel_size={kernel}, stride={stride}, padding={padding}, " +
                $"dilation={dilation} and ceil_mode={ceilMode} give output size ({Channels(input)}x{oh}x{ow}). Output size is too small: " +
                "the (dilated) kernel must fit inside the padded input",
                nameof(input));
        }

        return Make(op, input, planes, h, w, oh, ow, kernel, stride, padding, dilation);
    }

    /// <summary>adaptive_avg_pool2d: a positive output size; the windows come from <see cref="AdaptiveStart"/> and <see cref="AdaptiveEnd"/>.</summary>
    public static PoolGeometry Adaptive(string op, int[] input, Size2 outputSize)
    {
        var (planes, h, w) = Planes(op, input, emptyChannelsAllowed: true);
        if (outputSize.H <= 0 || outputSize.W <= 0)
        {
            throw new ArgumentException(
                $"{op}: elements of output_size must be greater than 0, but got output_size={outputSize} for input {Shapes.Format(input)}",
                nameof(outputSize));
        }

        return Make(op, input, planes, h, w, outputSize.H, outputSize.W, 0, 0, 0, 1);
    }

    /// <summary>
    /// PyTorch's <c>pooling_output_shape</c>: ⌊(size + 2·pad − dilation·(kernel − 1) − 1 + (ceil ? stride − 1 : 0)) / stride⌋ + 1,
    /// less one in ceil mode when the last window would start in the right padding.
    /// </summary>
    public static long OutputSize(int size, int kernel, int stride, int pad, int dilation, bool ceilMode)
    {
        var numerator = size + (2L * pad) - ((long)dilation * (kernel - 1)) - 1 + (ceilMode ? stride - 1L : 0);
        var output = FloorDiv(numerator, stride) + 1;
        if (ceilMode && (output - 1) * stride >= size + (long)pad)
        {
            output--;
        }

        return output;
    }

    /// <summary>First input row (or column) of adaptive window <paramref name="i"/>: ⌊i·size / outputs⌋.</summary>
    public static int AdaptiveStart(int i, int outputs, int size) => (int)((long)i * size / outputs);

    /// <summary>One past the last input row of adaptive window <paramref name="i"/>: ⌈(i + 1)·size / outputs⌉.</summary>
    public static int AdaptiveEnd(int i, int outputs, int size) => (int)((((long)(i + 1) * size) + outputs - 1) / outputs);

    private static PoolGeometry Make(
        string op, int[] input, int planes, int h, int w, long oh, long ow, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation)
    {
        var shape = input.Select(d => (long)d).ToArray();
        shape[^2] = oh;
        shape[^1] = ow;
        Convolution.WindowAxis.CheckOutput(op, shape);
        var output = shape.Select(d => (int)d).ToArray();
        return new PoolGeometry(
            (int[])input.Clone(), output, planes, h, w, (int)oh, (int)ow,
            kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W);
    }

    private static (int Planes, int H, int W) Planes(string op, int[] input, bool emptyChannelsAllowed)
    {
        if (input.Length is not (3 or 4))
        {
            throw new ArgumentException(
                $"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, but got input of size {Shapes.Format(input)}", nameof(input));
        }

        // The batch may be empty, as in PyTorch; the plane (and, except for adaptive pooling, the channels) may not.
        var first = input.Length - 3;
        for (var d = emptyChannelsAllowed ? first + 1 : first; d < input.Length; d++)
        {
            if (input[d] == 0)
            {
                throw new ArgumentException(
                    $"{op}: expected input with non-zero sizes for non-batch dimensions, but input has size {Shapes.Format(input)} " +
                    $"with dimension {d} being empty", nameof(input));
            }
        }

        var n = input.Length == 4 ? input[0] : 1;
        return (n * input[first], input[^2], input[^1]);
    }

    private static void Positive(string op, string name, Size2 value)
    {
        if (value.H <= 0 || value.W <= 0)
        {
            throw new ArgumentException($"{op}: {name} must be greater than zero, but got {name}={value}", name);
        }
    }

    private static string Channels(int[] input) => input[^3].ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}
