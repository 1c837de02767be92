using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// The vector loops of <see cref="JpegForwardDct"/>: the block's rows loaded as ints less 128,
/// transposed, the row butterflies, transposed back, the column butterflies, then quantised and
/// stored in natural order with their nonzero bits. Every operation is the scalar reference's on
/// each lane, so the two agree exactly (JpegKernelTests checks it on every kind of block).
/// </summary>
internal static partial class JpegForwardDct
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong TransformVector(ref byte samples, int stride, JpegQuantiser quantiser, ref int coefficients) =>
        Lanes == 8 ? Transform8(ref samples, stride, quantiser, ref coefficients) : Transform4(ref samples, stride, quantiser, ref coefficients);

    /// <summary>AVX2: the block in eight vectors held in registers, r[i] a row (lanes are columns), then a column, then a row again.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Transform8(ref byte samples, int stride, JpegQuantiser quantiser, ref int coefficients)
    {
        var r0 = Row8(ref samples, 0);
        var r1 = Row8(ref samples, stride);
        var r2 = Row8(ref samples, 2 * stride);
        var r3 = Row8(ref samples, 3 * stride);
        var r4 = Row8(ref samples, 4 * stride);
        var r5 = Row8(ref samples, 5 * stride);
        var r6 = Row8(ref samples, 6 * stride);
        var r7 = Row8(ref samples, 7 * stride);
        Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Butterfly(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, rows: true);
        Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Butterfly(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, rows: false);

        ref var halves = ref MemoryMarshal.GetArrayDataReference(quantiser.Halves);
        ref var divisors = ref MemoryMarshal.GetArrayDataReference(quantiser.FloatDivisors);
        return Quantise(r0, 0, ref halves, ref divisors, ref coefficients)
            | Quantise(r1, 8, ref halves, ref divisors, ref coefficients)
            | Quantise(r2, 16, ref halves, ref divisors, ref coefficients)
            | Quantise(r3, 24, ref halves, ref divisors, ref coefficients)
            | Quantise(r4, 32, ref halves, ref divisors, ref coefficients)
            | Quantise(r5, 40, ref halves, ref divisors, ref coefficients)
            | Quantise(r6, 48, ref halves, ref divisors, ref coefficients)
            | Quantise(r7, 56, ref halves, ref divisors, ref coefficients);
    }

    /// <summary>
    /// SSE2 or AdvSimd: the block in sixteen vectors of four lanes, a[i] the left half of row i and
    /// b[i] its right half; the butterflies run on each half in turn.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Transform4(ref byte samples, int stride, JpegQuantiser quantiser, ref int coefficients)
    {
        var (a0, b0) = Row4(ref samples, 0);
        var (a1, b1) = Row4(ref samples, stride);
        var (a2, b2) = Row4(ref samples, 2 * stride);
        var (a3, b3) = Row4(ref samples, 3 * stride);
        var (a4, b4) = Row4(ref samples, 4 * stride);
        var (a5, b5) = Row4(ref samples, 5 * stride);
        var (a6, b6) = Row4(ref samples, 6 * stride);
        var (a7, b7) = Row4(ref samples, 7 * stride);
        for (var pass = 0; pass < 2; pass++)
        {
            // Quadrants: rows 0–3 are a0–a3 | b0–b3, rows 4–7 a4–a7 | b4–b7. Transposed, the upper-right and lower-left trade places.
            Transpose4x4(ref a0, ref a1, ref a2, ref a3);
            Transpose4x4(ref b4, ref b5, ref b6, ref b7);
            Transpose4x4(ref b0, ref b1, ref b2, ref b3);
            Transpose4x4(ref a4, ref a5, ref a6, ref a7);
            (b0, b1, b2, b3, a4, a5, a6, a7) = (a4, a5, a6, a7, b0, b1, b2, b3);
            Butterfly(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, rows: pass == 0);
            Butterfly(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, rows: pass == 0);
        }

        ref var halves = ref MemoryMarshal.GetArrayDataReference(quantiser.Halves);
        ref var divisors = ref MemoryMarshal.GetArrayDataReference(quantiser.FloatDivisors);
        return Quantise(a0, 0, ref halves, ref divisors, ref coefficients) | Quantise(b0, 4, ref halves, ref divisors, ref coefficients)
            | Quantise(a1, 8, ref halves, ref divisors, ref coefficients) | Quantise(b1, 12, ref halves, ref divisors, ref coefficients)
            | Quantise(a2, 16, ref halves, ref divisors, ref coefficients) | Quantise(b2, 20, ref halves, ref divisors, ref coefficients)
            | Quantise(a3, 24, ref halves, ref divisors, ref coefficients) | Quantise(b3, 28, ref halves, ref divisors, ref coefficients)
            | Quantise(a4, 32, ref halves, ref divisors, ref coefficients) | Quantise(b4, 36, ref halves, ref divisors, ref coefficients)
            | Quantise(a5, 40, ref halves, ref divisors, ref coefficients) | Quantise(b5, 44, ref halves, ref divisors, ref coefficients)
            | Quantise(a6, 48, ref halves, ref divisors, ref coefficients) | Quantise(b6, 52, ref halves, ref divisors, ref coefficients)
            | Quantise(a7, 56, ref halves, ref divisors, ref coefficients) | Quantise(b7, 60, ref halves, ref divisors, ref coefficients);
    }

    /// <summary>A row of 8 samples less 128 (libjpeg's centring), as 8 int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Row8(ref byte samples, int offset)
    {
        var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref samples, offset))).AsByte();
        return Avx2.ConvertToVector256Int32(bytes).AsVector() - new Vector<int>(128);
    }

    /// <summary>A row of 8 samples less 128, as two vectors of 4 int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<int> Left, Vector<int> Right) Row4(ref byte samples, int offset)
    {
        var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref samples, offset))).AsByte();
        var words = Vector128.WidenLower(bytes);
        var centre = Vector128.Create(128);
        return ((Vector128.WidenLower(words).AsInt32() - centre).AsVector(), (Vector128.WidenUpper(words).AsInt32() - centre).AsVector());
    }

    /// <summary>
    /// One pass of 1-D transforms, as many at a time as there are lanes: x[i] holds input i of each
    /// transform and receives output i. The row pass scales by 4 (outputs 0 and 4 by a shift, the
    /// rest rounded from 2^11 times more); the column pass removes that 4 and keeps the overall factor of 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(
        ref Vector<int> x0, ref Vector<int> x1, ref Vector<int> x2, ref Vector<int> x3,
        ref Vector<int> x4, ref Vector<int> x5, ref Vector<int> x6, ref Vector<int> x7, bool rows)
    {
        var t0 = x0 + x7;
        var t7 = x0 - x7;
        var t1 = x1 + x6;
        var t6 = x1 - x6;
        var t2 = x2 + x5;
        var t5 = x2 - x5;
        var t3 = x3 + x4;
        var t4 = x3 - x4;

        // Even part.
        var t10 = t0 + t3;
        var t13 = t0 - t3;
        var t11 = t1 + t2;
        var t12 = t1 - t2;
        var shift = rows ? RowShift : ColumnShift;
        x0 = rows ? Vector.ShiftLeft(t10 + t11, PassBits) : Descale(t10 + t11, PassBits);
        x4 = rows ? Vector.ShiftLeft(t10 - t11, PassBits) : Descale(t10 - t11, PassBits);
        var z1 = (t12 + t13) * new Vector<int>(C0_541196100);
        x2 = Descale(z1 + (t13 * new Vector<int>(C0_765366865)), shift);
        x6 = Descale(z1 - (t12 * new Vector<int>(C1_847759065)), shift);

        // Odd part.
        z1 = t4 + t7;
        var z2 = t5 + t6;
        var z3 = t4 + t6;
        var z4 = t5 + t7;
        var z5 = (z3 + z4) * new Vector<int>(C1_175875602);
        t4 *= new Vector<int>(C0_298631336);
        t5 *= new Vector<int>(C2_053119869);
        t6 *= new Vector<int>(C3_072711026);
        t7 *= new Vector<int>(C1_501321110);
        z1 *= new Vector<int>(-C0_899976223);
        z2 *= new Vector<int>(-C2_562915447);
        z3 = (z3 * new Vector<int>(-C1_961570560)) + z5;
        z4 = (z4 * new Vector<int>(-C0_390180644)) + z5;
        x7 = Descale(t4 + z1 + z3, shift);
        x5 = Descale(t5 + z2 + z4, shift);
        x3 = Descale(t6 + z2 + z3, shift);
        x1 = Descale(t7 + z1 + z4, shift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Descale(Vector<int> x, int shift) => Vector.ShiftRightArithmetic(x + new Vector<int>(1 << (shift - 1)), shift);

    /// <summary>
    /// Quantises the coefficients <paramref name="x"/> (natural positions <paramref name="at"/> on;
    /// see <see cref="JpegQuantiser"/>): |x| + d/2 divided by d in float, exact here, truncated, the
    /// sign put back. Stores them and returns their nonzero bits, at their positions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Quantise(Vector<int> x, int at, ref int halves, ref float divisors, ref int coefficients)
    {
        var sign = Vector.ShiftRightArithmetic(x, 31);
        var y = Vector.Abs(x) + Vector.LoadUnsafe(ref halves, (nuint)at);
        var q = Vector.ConvertToInt32(Vector.ConvertToSingle(y) / Vector.LoadUnsafe(ref divisors, (nuint)at));
        q = (q ^ sign) - sign;
        q.StoreUnsafe(ref coefficients, (nuint)at);
        var zero = Vector.Equals(q, Vector<int>.Zero);
        var zeroBits = Lanes == 8 ? zero.AsVector256().ExtractMostSignificantBits() : zero.AsVector128().ExtractMostSignificantBits();
        return (ulong)(~zeroBits & ((1u << Vector<int>.Count) - 1)) << at;
    }

    /// <summary>
    /// A 4×4 transpose in place by interleaving: 32-bit pairs of rows (a0 b0 a1 b1 …), then 64-bit
    /// pairs of those (a0 b0 c0 d0). SSE2's unpacks or AdvSimd's zips.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(ref Vector<int> a, ref Vector<int> b, ref Vector<int> c, ref Vector<int> d)
    {
        var ab0 = ZipLow(a.AsVector128(), b.AsVector128());
        var ab1 = ZipHigh(a.AsVector128(), b.AsVector128());
        var cd0 = ZipLow(c.AsVector128(), d.AsVector128());
        var cd1 = ZipHigh(c.AsVector128(), d.AsVector128());
        a = ZipLow(ab0.AsInt64(), cd0.AsInt64()).AsInt32().AsVector();
        b = ZipHigh(ab0.AsInt64(), cd0.AsInt64()).AsInt32().AsVector();
        c = ZipLow(ab1.AsInt64(), cd1.AsInt64()).AsInt32().AsVector();
        d = ZipHigh(ab1.AsInt64(), cd1.AsInt64()).AsInt32().AsVector();
    }

    private static Vector128<int> ZipLow(Vector128<int> a, Vector128<int> b) => Sse2.IsSupported ? Sse2.UnpackLow(a, b) : AdvSimd.Arm64.ZipLow(a, b);

    private static Vector128<int> ZipHigh(Vector128<int> a, Vector128<int> b) => Sse2.IsSupported ? Sse2.UnpackHigh(a, b) : AdvSimd.Arm64.ZipHigh(a, b);

    private static Vector128<long> ZipLow(Vector128<long> a, Vector128<long> b) => Sse2.IsSupported ? Sse2.UnpackLow(a, b) : AdvSimd.Arm64.ZipLow(a, b);

    private static Vector128<long> ZipHigh(Vector128<long> a, Vector128<long> b) => Sse2.IsSupported ? Sse2.UnpackHigh(a, b) : AdvSimd.Arm64.ZipHigh(a, b);

    /// <summary>
    /// The AVX2 8×8 transpose in place: interleave 32-bit lanes of row pairs, then 64-bit lanes of
    /// those, which leaves each 128-bit half a 4×4 transpose; whole halves then trade places across vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(
        ref Vector<int> r0, ref Vector<int> r1, ref Vector<int> r2, ref Vector<int> r3,
        ref Vector<int> r4, ref Vector<int> r5, ref Vector<int> r6, ref Vector<int> r7)
    {
        var t0 = Avx2.UnpackLow(r0.AsVector256(), r1.AsVector256());
        var t1 = Avx2.UnpackHigh(r0.AsVector256(), r1.AsVector256());
        var t2 = Avx2.UnpackLow(r2.AsVector256(), r3.AsVector256());
        var t3 = Avx2.UnpackHigh(r2.AsVector256(), r3.AsVector256());
        var t4 = Avx2.UnpackLow(r4.AsVector256(), r5.AsVector256());
        var t5 = Avx2.UnpackHigh(r4.AsVector256(), r5.AsVector256());
        var t6 = Avx2.UnpackLow(r6.AsVector256(), r7.AsVector256());
        var t7 = Avx2.UnpackHigh(r6.AsVector256(), r7.AsVector256());

        // Columns 0–3 of rows 0–3 in each low half, 4–7 in each high half.
        var u0 = Avx2.UnpackLow(t0.AsInt64(), t2.AsInt64()).AsInt32();
        var u1 = Avx2.UnpackHigh(t0.AsInt64(), t2.AsInt64()).AsInt32();
        var u2 = Avx2.UnpackLow(t1.AsInt64(), t3.AsInt64()).AsInt32();
        var u3 = Avx2.UnpackHigh(t1.AsInt64(), t3.AsInt64()).AsInt32();
        var u4 = Avx2.UnpackLow(t4.AsInt64(), t6.AsInt64()).AsInt32();
        var u5 = Avx2.UnpackHigh(t4.AsInt64(), t6.AsInt64()).AsInt32();
        var u6 = Avx2.UnpackLow(t5.AsInt64(), t7.AsInt64()).AsInt32();
        var u7 = Avx2.UnpackHigh(t5.AsInt64(), t7.AsInt64()).AsInt32();

        r0 = Avx2.Permute2x128(u0, u4, 0x20).AsVector();
        r1 = Avx2.Permute2x128(u1, u5, 0x20).AsVector();
        r2 = Avx2.Permute2x128(u2, u6, 0x20).AsVector();
        r3 = Avx2.Permute2x128(u3, u7, 0x20).AsVector();
        r4 = Avx2.Permute2x128(u0, u4, 0x31).AsVector();
        r5 = Avx2.Permute2x128(u1, u5, 0x31).AsVector();
        r6 = Avx2.Permute2x128(u2, u6, 0x31).AsVector();
        r7 = Avx2.Permute2x128(u3, u7, 0x31).AsVector();
    }
}
