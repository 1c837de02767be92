using System.Runtime.CompilerServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// The inverse DCT of libjpeg's "islow" method (JDCT_ISLOW, its default and SkiaSharp's): the
/// Loeffler–Ligtenberg–Moschytz factorisation with 12 multiplications in 13-bit fixed point,
/// columns first keeping 2 extra bits, then rows; each output descaled with rounding, shifted by
/// the level offset 128 and clamped through libjpeg's range-limit table, which looks the value
/// up modulo 1024 (so a value far outside [−512, 511] wraps, as corrupt or extreme data makes it).
/// </summary>
internal static unsafe class JpegDecoderIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    // The constants, round(x · 2^13).
    private const int Fix0298631336 = 2446;
    private const int Fix0390180644 = 3196;
    private const int Fix0541196100 = 4433;
    private const int Fix0765366865 = 6270;
    private const int Fix0899976223 = 7373;
    private const int Fix1175875602 = 9633;
    private const int Fix1501321110 = 12299;
    private const int Fix1847759065 = 15137;
    private const int Fix1961570560 = 16069;
    private const int Fix2053119869 = 16819;
    private const int Fix2562915447 = 20995;
    private const int Fix3072711026 = 25172;

    /// <summary>libjpeg's clamp of an IDCT output x (before the +128 offset): x taken modulo 1024 into [−512, 511], plus 128, clamped to [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte RangeLimit(long x)
    {
        var wrapped = (int)(((x + 512) & 1023) - 512) + 128;
        return (byte)Math.Clamp(wrapped, 0, 255);
    }

    /// <summary>What <see cref="JpegDecoderEntropy.DecodeBlock"/> returns for a block that codes any AC coefficient.</summary>
    public const int HasAc = 1 << 30;

    /// <summary>
    /// Transforms one block (see <see cref="Reference"/>) into 8 rows of 8 bytes at
    /// <paramref name="output"/>, <paramref name="stride"/> apart. <paramref name="flags"/> says
    /// whether any AC coefficient is coded (<see cref="HasAc"/>): a DC-only block is one value (its
    /// columns pass gives 4·DC in column 0, its rows pass (4·DC + 16) / 32); the others go through
    /// <see cref="JpegDecoderIdctAvx2"/> where 32 bits hold them, else the reference.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transform(int* block, byte* output, int stride, int flags)
    {
        if ((flags & HasAc) == 0)
        {
            var value = RangeLimit(((4L * block[0]) + 16) >> 5);
            var row = 0x0101010101010101UL * value;
            for (var y = 0; y < 8; y++)
            {
                *(ulong*)(output + (y * stride)) = row;
            }

            return;
        }

        if (JpegDecoderIdctAvx2.IsSupported && JpegDecoderIdctAvx2.TryTransform(block, output, stride))
        {
            return;
        }

        Reference(new ReadOnlySpan<int>(block, 64), new Span<byte>(output, (7 * stride) + 8), stride);
    }

    /// <summary>
    /// The plain transform of one block of dequantised coefficients (natural order) into 8 rows of
    /// <paramref name="output"/>, <paramref name="stride"/> bytes apart, in 64-bit arithmetic as
    /// libjpeg computes it on 64-bit Linux (its workspace between the passes is 32-bit).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reference(ReadOnlySpan<int> block, Span<byte> output, int stride)
    {
        Span<int> workspace = stackalloc int[64];
        for (var x = 0; x < 8; x++)
        {
            Butterfly(block[x], block[8 + x], block[16 + x], block[24 + x], block[32 + x], block[40 + x], block[48 + x], block[56 + x], out var o);
            for (var y = 0; y < 8; y++)
            {
                workspace[(8 * y) + x] = (int)((o[y] + (1L << (ConstBits - Pass1Bits - 1))) >> (ConstBits - Pass1Bits));
            }
        }

        for (var y = 0; y < 8; y++)
        {
            var w = workspace.Slice(8 * y, 8);
            Butterfly(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], out var o);
            for (var x = 0; x < 8; x++)
            {
                output[(y * stride) + x] = RangeLimit((o[x] + (1L << (ConstBits + Pass1Bits + 2))) >> (ConstBits + Pass1Bits + 3));
            }
        }
    }

    /// <summary>Eight outputs of the 1-D transform, scaled by 2^13 (times √8 against an orthonormal IDCT).</summary>
    private static void Butterfly(long i0, long i1, long i2, long i3, long i4, long i5, long i6, long i7, out Outputs o)
    {
        // Even part: inputs 0, 2, 4, 6.
        var z1 = (i2 + i6) * Fix0541196100;
        var t2 = z1 - (i6 * Fix1847759065);
        var t3 = z1 + (i2 * Fix0765366865);
        var t0 = (i0 + i4) << ConstBits;
        var t1 = (i0 - i4) << ConstBits;
        var (e10, e13, e11, e12) = (t0 + t3, t0 - t3, t1 + t2, t1 - t2);

        // Odd part: inputs 7, 5, 3, 1.
        var (q0, q1, q2, q3) = (i7, i5, i3, i1);
        long a1 = q0 + q3, a2 = q1 + q2, a3 = q0 + q2, a4 = q1 + q3;
        var z5 = (a3 + a4) * Fix1175875602;
        q0 *= Fix0298631336;
        q1 *= Fix2053119869;
        q2 *= Fix3072711026;
        q3 *= Fix1501321110;
        a1 *= -Fix0899976223;
        a2 *= -Fix2562915447;
        a3 = (a3 * -Fix1961570560) + z5;
        a4 = (a4 * -Fix0390180644) + z5;
        q0 += a1 + a3;
        q1 += a2 + a4;
        q2 += a2 + a3;
        q3 += a1 + a4;

        o = default;
        (o[0], o[7]) = (e10 + q3, e10 - q3);
        (o[1], o[6]) = (e11 + q2, e11 - q2);
        (o[2], o[5]) = (e12 + q1, e12 - q1);
        (o[3], o[4]) = (e13 + q0, e13 - q0);
    }

    [InlineArray(8)]
    private struct Outputs
    {
        private long _element;
    }
}
