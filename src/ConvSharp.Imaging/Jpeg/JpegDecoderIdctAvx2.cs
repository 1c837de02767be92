using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// <see cref="JpegDecoderIdct.Reference"/> eight lanes at a time with AVX2, in 32-bit arithmetic:
/// the columns pass on rows as vectors, an 8×8 transpose, the rows pass the same way, a transpose
/// back and saturating packs to bytes (the range limit's wrap is applied first, so the packs'
/// clamp is its clamp). 32 bits hold every intermediate when the coefficients are below
/// <see cref="MaxCoefficient"/> and the first pass's outputs below <see cref="MaxWorkspace"/>
/// (bounded by summing the magnitudes of every term of the butterfly: 1.46·10⁹ and 2.14·10⁹, under
/// 2³¹); a block outside either bound is left to the 64-bit reference, which is what
/// <see cref="TryTransform"/>'s false means.
/// </summary>
internal static unsafe class JpegDecoderIdctAvx2
{
    public const int MaxCoefficient = 8191;
    public const int MaxWorkspace = 12000;

    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Transforms the block into 8 rows of 8 bytes at <paramref name="output"/>, <paramref name="stride"/>
    /// apart; false (nothing written) where a coefficient lies beyond ±<see cref="MaxCoefficient"/>
    /// or the first pass's outputs beyond ±<see cref="MaxWorkspace"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryTransform(int* block, byte* output, int stride)
    {
        var r0 = Avx.LoadVector256(block);
        var r1 = Avx.LoadVector256(block + 8);
        var r2 = Avx.LoadVector256(block + 16);
        var r3 = Avx.LoadVector256(block + 24);
        var r4 = Avx.LoadVector256(block + 32);
        var r5 = Avx.LoadVector256(block + 40);
        var r6 = Avx.LoadVector256(block + 48);
        var r7 = Avx.LoadVector256(block + 56);
        if (Vector256.GreaterThanAny(Magnitudes(r0, r1, r2, r3, r4, r5, r6, r7), Vector256.Create(MaxCoefficient)))
        {
            return false;
        }

        // Columns: each vector is a row of coefficients, each lane a column.
        Butterfly(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, 10, 11);
        if (Vector256.GreaterThanAny(Magnitudes(r0, r1, r2, r3, r4, r5, r6, r7), Vector256.Create(MaxWorkspace)))
        {
            return false;
        }

        // Rows: transposed, each vector is a column of the workspace, each lane a row.
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Butterfly(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, 17, 18);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Store(RangeLimit(r0), RangeLimit(r1), RangeLimit(r2), RangeLimit(r3), output, stride);
        Store(RangeLimit(r4), RangeLimit(r5), RangeLimit(r6), RangeLimit(r7), output + (4 * stride), stride);
        return true;
    }

    /// <summary>Each lane's largest magnitude over the eight vectors (values above −2³¹, so Abs is exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Magnitudes(
        Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d, Vector256<int> e, Vector256<int> f, Vector256<int> g, Vector256<int> h) =>
        Vector256.Max(
            Vector256.Max(Vector256.Max(Vector256.Abs(a), Vector256.Abs(b)), Vector256.Max(Vector256.Abs(c), Vector256.Abs(d))),
            Vector256.Max(Vector256.Max(Vector256.Abs(e), Vector256.Abs(f)), Vector256.Max(Vector256.Abs(g), Vector256.Abs(h))));

    /// <summary>The range limit's wrap (x modulo 1024 into [−512, 511], plus 128); the packs clamp to [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> RangeLimit(Vector256<int> x) => ((x + Vector256.Create(512)) & Vector256.Create(1023)) - Vector256.Create(384);

    /// <summary>Four rows of ints in [−384, 639] packed with saturation to bytes and stored 8 a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d, byte* output, int stride)
    {
        // Per 128-bit lane: [a0–3 b0–3 c0–3 d0–3 | a4–7 b4–7 c4–7 d4–7]; the permute pairs each row's halves.
        var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(a, b), Avx2.PackSignedSaturate(c, d));
        var rows = Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsUInt64();
        *(ulong*)output = rows.GetElement(0);
        *(ulong*)(output + stride) = rows.GetElement(1);
        *(ulong*)(output + (2 * stride)) = rows.GetElement(2);
        *(ulong*)(output + (3 * stride)) = rows.GetElement(3);
    }

    /// <summary>The 1-D transform of <see cref="JpegDecoderIdct"/> on eight lanes, outputs descaled by <paramref name="shift"/> with rounding 2^<paramref name="round"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(
        ref Vector256<int> i0, ref Vector256<int> i1, ref Vector256<int> i2, ref Vector256<int> i3,
        ref Vector256<int> i4, ref Vector256<int> i5, ref Vector256<int> i6, ref Vector256<int> i7, int round, int shift)
    {
        var z1 = (i2 + i6) * 4433;
        var t2 = z1 - (i6 * 15137);
        var t3 = z1 + (i2 * 6270);
        var rounding = Vector256.Create(1 << round);
        var t0 = ((i0 + i4) << 13) + rounding;
        var t1 = ((i0 - i4) << 13) + rounding;
        var (e10, e13, e11, e12) = (t0 + t3, t0 - t3, t1 + t2, t1 - t2);

        var (q0, q1, q2, q3) = (i7, i5, i3, i1);
        var (a1, a2, a3, a4) = (q0 + q3, q1 + q2, q0 + q2, q1 + q3);
        var z5 = (a3 + a4) * 9633;
        q0 *= 2446;
        q1 *= 16819;
        q2 *= 25172;
        q3 *= 12299;
        a1 *= -7373;
        a2 *= -20995;
        a3 = (a3 * -16069) + z5;
        a4 = (a4 * -3196) + z5;
        q0 += a1 + a3;
        q1 += a2 + a4;
        q2 += a2 + a3;
        q3 += a1 + a4;

        (i0, i7) = ((e10 + q3) >> shift, (e10 - q3) >> shift);
        (i1, i6) = ((e11 + q2) >> shift, (e11 - q2) >> shift);
        (i2, i5) = ((e12 + q1) >> shift, (e12 - q1) >> shift);
        (i3, i4) = ((e13 + q0) >> shift, (e13 - q0) >> shift);
    }

    /// <summary>8×8 transpose of ints: unpack pairs, then quads, then swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        ref Vector256<int> r0, ref Vector256<int> r1, ref Vector256<int> r2, ref Vector256<int> r3,
        ref Vector256<int> r4, ref Vector256<int> r5, ref Vector256<int> r6, ref Vector256<int> r7)
    {
        var t0 = Avx2.UnpackLow(r0, r1).AsInt64();
        var t1 = Avx2.UnpackHigh(r0, r1).AsInt64();
        var t2 = Avx2.UnpackLow(r2, r3).AsInt64();
        var t3 = Avx2.UnpackHigh(r2, r3).AsInt64();
        var t4 = Avx2.UnpackLow(r4, r5).AsInt64();
        var t5 = Avx2.UnpackHigh(r4, r5).AsInt64();
        var t6 = Avx2.UnpackLow(r6, r7).AsInt64();
        var t7 = Avx2.UnpackHigh(r6, r7).AsInt64();
        var u0 = Avx2.UnpackLow(t0, t2).AsInt32();
        var u1 = Avx2.UnpackHigh(t0, t2).AsInt32();
        var u2 = Avx2.UnpackLow(t1, t3).AsInt32();
        var u3 = Avx2.UnpackHigh(t1, t3).AsInt32();
        var u4 = Avx2.UnpackLow(t4, t6).AsInt32();
        var u5 = Avx2.UnpackHigh(t4, t6).AsInt32();
        var u6 = Avx2.UnpackLow(t5, t7).AsInt32();
        var u7 = Avx2.UnpackHigh(t5, t7).AsInt32();
        r0 = Avx2.Permute2x128(u0, u4, 0x20);
        r4 = Avx2.Permute2x128(u0, u4, 0x31);
        r1 = Avx2.Permute2x128(u1, u5, 0x20);
        r5 = Avx2.Permute2x128(u1, u5, 0x31);
        r2 = Avx2.Permute2x128(u2, u6, 0x20);
        r6 = Avx2.Permute2x128(u2, u6, 0x31);
        r3 = Avx2.Permute2x128(u3, u7, 0x20);
        r7 = Avx2.Permute2x128(u3, u7, 0x31);
    }
}
