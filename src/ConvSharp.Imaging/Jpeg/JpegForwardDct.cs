using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// The forward DCT of one 8×8 block of samples and its quantisation, with the arithmetic of
/// libjpeg's "islow" transform, so the coefficients are exactly libjpeg's (the byte-identical
/// files depend on it): the Loeffler–Ligtenberg–Moschytz butterfly in 13-bit fixed point, rows
/// first with their results scaled up by 4 (2 "pass bits"), then columns, every product exact
/// in 32 bits and each result rounded by adding half and shifting right.
/// <para>
/// The vector loop keeps a block in registers, as locals of <see cref="Vector{T}"/> of ints: eight
/// vectors of eight lanes (AVX2) or sixteen of four (SSE2, AdvSimd), a block row to a vector or
/// to two. The butterfly works lane by lane on eight vectors that each hold one position of the
/// 1-D transforms, so the block is transposed before the row pass (its columns become vectors)
/// and again before the column pass; the second transpose leaves it in natural order (the loops
/// are in JpegForwardDct.Vector.cs). Without hardware vectors (<c>DOTNET_EnableHWIntrinsic=0</c>)
/// the scalar <see cref="Reference"/> runs.
/// </para>
/// </summary>
internal static partial class JpegForwardDct
{
    private const int ConstBits = 13;
    private const int PassBits = 2;
    private const int RowShift = ConstBits - PassBits;
    private const int ColumnShift = ConstBits + PassBits;

    // The rotations of the LL&M butterfly, round(c · 2^13): the names give c.
    private const int C0_298631336 = 2446;
    private const int C0_390180644 = 3196;
    private const int C0_541196100 = 4433;
    private const int C0_765366865 = 6270;
    private const int C0_899976223 = 7373;
    private const int C1_175875602 = 9633;
    private const int C1_501321110 = 12299;
    private const int C1_847759065 = 15137;
    private const int C1_961570560 = 16069;
    private const int C2_053119869 = 16819;
    private const int C2_562915447 = 20995;
    private const int C3_072711026 = 25172;

    /// <summary>The int lanes of the vector loop: 8 (AVX2), 4 (SSE2 or AdvSimd), or 0 when the scalar reference runs.</summary>
    public static int Lanes { get; } = ChooseLanes();

    private static int ChooseLanes()
    {
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        if (Vector<int>.Count == 8 && Avx2.IsSupported)
        {
            return 8;
        }

        return Vector<int>.Count == 4 && (Sse2.IsSupported || AdvSimd.Arm64.IsSupported) ? 4 : 0;
    }

    /// <summary>
    /// Transforms and quantises the block whose rows start <paramref name="stride"/> bytes apart in
    /// <paramref name="samples"/>; writes the 64 quantised coefficients in natural (row-major) order
    /// and returns their nonzero positions, bit 8·row + column.
    /// </summary>
    /// <param name="samples">8 rows of 8 samples (0–255)</param>
    /// <param name="stride">bytes from one row to the next</param>
    /// <param name="quantiser">the quantisation table</param>
    /// <param name="coefficients">64 ints out, also the workspace</param>
    public static ulong Transform(ReadOnlySpan<byte> samples, int stride, JpegQuantiser quantiser, Span<int> coefficients)
    {
        Check(samples, stride, coefficients);
        return Lanes == 0
            ? Reference.Transform(samples, stride, quantiser, coefficients)
            : TransformVector(ref MemoryMarshal.GetReference(samples), stride, quantiser, ref MemoryMarshal.GetReference(coefficients));
    }

    /// <summary>The bounds the unchecked loads rely on.</summary>
    private static void Check(ReadOnlySpan<byte> samples, int stride, Span<int> coefficients)
    {
        if (stride < 8 || samples.Length < (7L * stride) + 8 || coefficients.Length < 64)
        {
            throw new ArgumentException($"a block needs 8 rows of 8 samples {stride} apart ({samples.Length} bytes given) and 64 coefficients ({coefficients.Length} given)");
        }
    }

    /// <summary>The transform one value at a time, with libjpeg's arithmetic: the oracle for the vector loops, and the loop itself without vectors.</summary>
    internal static class Reference
    {
        public static ulong Transform(ReadOnlySpan<byte> samples, int stride, JpegQuantiser quantiser, Span<int> coefficients)
        {
            Check(samples, stride, coefficients);
            for (var r = 0; r < 8; r++)
            {
                for (var c = 0; c < 8; c++)
                {
                    coefficients[(8 * r) + c] = samples[(r * stride) + c] - 128;
                }
            }

            ForwardDct(coefficients);
            return Quantise(coefficients, quantiser);
        }

        /// <summary>The 2-D transform in place: each row, then each column.</summary>
        public static void ForwardDct(Span<int> block)
        {
            for (var r = 0; r < 8; r++)
            {
                Pass(block.Slice(8 * r), 1, rows: true);
            }

            for (var c = 0; c < 8; c++)
            {
                Pass(block.Slice(c), 8, rows: false);
            }
        }

        /// <summary>One 1-D transform of the 8 values <paramref name="step"/> apart.</summary>
        private static void Pass(Span<int> d, int step, bool rows)
        {
            int t0 = d[0] + d[7 * step], t7 = d[0] - d[7 * step];
            int t1 = d[step] + d[6 * step], t6 = d[step] - d[6 * step];
            int t2 = d[2 * step] + d[5 * step], t5 = d[2 * step] - d[5 * step];
            int t3 = d[3 * step] + d[4 * step], t4 = d[3 * step] - d[4 * step];
            var shift = rows ? RowShift : ColumnShift;

            int t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2;
            d[0] = rows ? (t10 + t11) << PassBits : Descale(t10 + t11, PassBits);
            d[4 * step] = rows ? (t10 - t11) << PassBits : Descale(t10 - t11, PassBits);
            var z1 = (t12 + t13) * C0_541196100;
            d[2 * step] = Descale(z1 + (t13 * C0_765366865), shift);
            d[6 * step] = Descale(z1 - (t12 * C1_847759065), shift);

            z1 = t4 + t7;
            int z2 = t5 + t6, z3 = t4 + t6, z4 = t5 + t7;
            var z5 = (z3 + z4) * C1_175875602;
            t4 *= C0_298631336;
            t5 *= C2_053119869;
            t6 *= C3_072711026;
            t7 *= C1_501321110;
            z1 *= -C0_899976223;
            z2 *= -C2_562915447;
            z3 = (z3 * -C1_961570560) + z5;
            z4 = (z4 * -C0_390180644) + z5;
            d[7 * step] = Descale(t4 + z1 + z3, shift);
            d[5 * step] = Descale(t5 + z2 + z4, shift);
            d[3 * step] = Descale(t6 + z2 + z3, shift);
            d[step] = Descale(t7 + z1 + z4, shift);
        }

        private static int Descale(int x, int shift) => (x + (1 << (shift - 1))) >> shift;

        /// <summary>sign(x) · ⌊(|x| + d/2) / d⌋ in integers, in place; returns the nonzero positions.</summary>
        public static ulong Quantise(Span<int> block, JpegQuantiser quantiser)
        {
            ulong nonzero = 0;
            for (var i = 0; i < 64; i++)
            {
                var x = block[i];
                var q = (Math.Abs(x) + quantiser.Halves[i]) / quantiser.Divisors[i];
                block[i] = x < 0 ? -q : q;
                nonzero |= q != 0 ? 1UL << i : 0;
            }

            return nonzero;
        }
    }
}
