namespace ConvSharp;

/// <summary>What each <see cref="PaddingMode"/> reads beyond the border, one position at a time.</summary>
public static class Borders
{
    /// <summary>
    /// The position in [0, <paramref name="size"/>) that <paramref name="position"/> (which may lie
    /// outside) reads in <paramref name="mode"/>, or −1 where the zero border is read. For
    /// <c>abcd</c>: position −2 reads <c>c</c> in <see cref="PaddingMode.Reflect"/>, <c>b</c> in
    /// <see cref="PaddingMode.Symmetric"/>, <c>a</c> in <see cref="PaddingMode.Replicate"/> and
    /// <c>c</c> in <see cref="PaddingMode.Circular"/> (the README's table of border modes).
    /// </summary>
    /// <exception cref="ArgumentException">the position lies further out than the mode reaches: beyond one reflection, or a wrap of more than the size</exception>
    public static int SourceIndex(PaddingMode mode, long position, int size)
    {
        var inside = position >= 0 && position < size;
        long source = mode switch
        {
            _ when inside => position,
            PaddingMode.Zeros => -1,
            PaddingMode.Replicate => Math.Clamp(position, 0, size - 1L),
            PaddingMode.Circular when position >= -size && position < 2L * size => ((position % size) + size) % size,
            PaddingMode.Reflect when position > -size && position < (2L * size) - 1 => position < 0 ? -position : (2L * (size - 1)) - position,
            PaddingMode.Symmetric when position >= -size && position < 2L * size => position < 0 ? -position - 1 : (2L * size) - 1 - position,
            _ => long.MinValue,
        };
        if (source == long.MinValue || (mode != PaddingMode.Zeros && size == 0))
        {
            throw new ArgumentException(
                $"position {position} lies too far outside an axis of size {size} for {mode} padding (it mirrors or wraps the axis once at most)", nameof(position));
        }

        return (int)source;
    }
}
