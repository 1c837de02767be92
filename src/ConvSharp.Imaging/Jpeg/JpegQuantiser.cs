namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// One quantisation table as the forward DCT divides by it. The DCT's output is eight times the
/// true transform, so each coefficient x is divided by d = 8·q and rounded half away from zero:
/// sign(x) · ⌊(|x| + d/2) / d⌋ (libjpeg-turbo computes the same quotient with a multiply by a
/// reciprocal, exact for these magnitudes). Natural (row-major) order, as the DCT leaves its output.
/// </summary>
internal sealed class JpegQuantiser
{
    public JpegQuantiser(ReadOnlySpan<byte> table)
    {
        if (table.Length != 64)
        {
            throw new ArgumentException($"a quantisation table has 64 entries, not {table.Length}", nameof(table));
        }

        for (var i = 0; i < 64; i++)
        {
            ArgumentOutOfRangeException.ThrowIfZero(table[i], nameof(table));
            Divisors[i] = 8 * table[i];
            Halves[i] = 4 * table[i];
            FloatDivisors[i] = Divisors[i];
        }
    }

    /// <summary>d = 8·q per coefficient.</summary>
    public int[] Divisors { get; } = new int[64];

    /// <summary>d/2 per coefficient (d is even).</summary>
    public int[] Halves { get; } = new int[64];

    /// <summary>
    /// d as a float, for the vector loops' division: with |x| + d/2 below 2^14 and d at least 8, the
    /// correctly rounded float quotient never crosses an integer it should not (an exact quotient
    /// is exact, and one short of an integer by at least 1/d stays short, as 1/d exceeds half a
    /// float step there), so truncating it gives the integer quotient.
    /// </summary>
    public float[] FloatDivisors { get; } = new float[64];
}
