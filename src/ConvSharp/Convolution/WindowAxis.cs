namespace ConvSharp.Convolution;

/// <summary>
/// One axis of a sliding window, derived in 64-bit arithmetic so that no stride, padding or
/// dilation a user passes can wrap around: the padded input, the kernel's span with its
/// dilation, and the number of window positions. <see cref="Compute.ConvGeometry"/> builds a geometry
/// only from axes that pass <see cref="CheckPadded"/> and <see cref="CheckOutput"/>; the errors
/// quote the true sizes, never wrapped ones.
/// </summary>
/// <param name="Padded">input size plus the padding on both sides</param>
/// <param name="DilatedKernel">dilation·(kernel − 1) + 1</param>
/// <param name="Positions">⌊(Padded − DilatedKernel) / stride⌋ + 1, or 0 when the kernel does not fit</param>
internal readonly record struct WindowAxis(long Padded, long DilatedKernel, long Positions)
{
    /// <summary>
    /// The largest padded extent: every algorithm computes row and column positions, padding
    /// included, as 32-bit integers.
    /// </summary>
    public const long MaxExtent = int.MaxValue;

    /// <summary>Whether the kernel fits inside the padded input at least once.</summary>
    public bool KernelFits => DilatedKernel <= Padded;

    public static long Dilated(int kernel, int dilation) => ((long)dilation * (kernel - 1L)) + 1;

    public static WindowAxis Of(int size, long before, long after, int kernel, int dilation, int stride)
    {
        var padded = size + before + after;
        var dilated = Dilated(kernel, dilation);
        return new WindowAxis(padded, dilated, dilated <= padded ? ((padded - dilated) / stride) + 1 : 0);
    }

    /// <summary>Refuses a padded input beyond <see cref="MaxExtent"/> rows or columns, naming the padding that made it.</summary>
    public static void CheckPadded(string op, (long Top, long Bottom, long Left, long Right) pads, WindowAxis rows, WindowAxis columns)
    {
        if (rows.Padded <= MaxExtent && columns.Padded <= MaxExtent)
        {
            return;
        }

        throw new ArgumentException(
            $"{op}: the padding (top {pads.Top}, bottom {pads.Bottom}, left {pads.Left}, right {pads.Right}) makes the padded input ({rows.Padded} x {columns.Padded}); " +
            $"ConvSharp addresses rows and columns with 32-bit integers, so the padded height and width must each be at most {MaxExtent}. Reduce the padding (or the dilation, for 'same')");
    }

    /// <summary>Refuses an output with more elements than one .NET array holds, quoting its true size.</summary>
    public static void CheckOutput(string op, ReadOnlySpan<long> shape)
    {
        var elements = 1.0;
        var fits = true;
        foreach (var d in shape)
        {
            elements *= d;
            fits &= d <= int.MaxValue;
        }

        if (fits && elements <= Array.MaxLength)
        {
            return;
        }

        throw new ArgumentException(
            fits
                ? $"{op}: the output would have size [{string.Join(", ", shape.ToArray())}] ({elements:G4} elements), more than one .NET array holds ({Array.MaxLength}). " +
                  "Reduce the input, the padding or the dilation, or raise the stride"
                : $"{op}: the output would have size [{string.Join(", ", shape.ToArray())}], and a tensor's dimension holds at most {int.MaxValue}. " +
                  "Reduce the input, the padding or the dilation, or raise the stride");
    }
}
