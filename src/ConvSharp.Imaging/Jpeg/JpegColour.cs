using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// RGB to YCbCr and the 2×2 chroma downsampling, with libjpeg's integer arithmetic so that the
/// samples are exactly libjpeg's. The conversion is JFIF's (ITU-R BT.601, full range) in 16-bit
/// fixed point: each weight is round(w · 2^16), Y gets half a unit to round, Cb and Cr get 128
/// units and just under half a unit (2^15 − 1), then the sum is shifted right by 16. Each output
/// depends on its own pixel alone, so the loops run a <see cref="Vector{T}"/> of pixels at a time
/// and end on a last vector that overlaps the one before; rows shorter than a vector, and every
/// row without hardware vectors, take the scalar loop, which is <see cref="Reference"/>'s.
/// </summary>
internal static class JpegColour
{
    private const int YR = 19595;   // 0.29900
    private const int YG = 38470;   // 0.58700
    private const int YB = 7471;    // 0.11400
    private const int CbR = -11059; // −0.16874
    private const int CbG = -21709; // −0.33126
    private const int CbB = 32768;  // 0.50000
    private const int CrR = 32768;  // 0.50000
    private const int CrG = -27439; // −0.41869
    private const int CrB = -5329;  // −0.08131
    private const int YRounding = 1 << 15;
    private const int ChromaOffset = (128 << 16) + (1 << 15) - 1;

    /// <summary>
    /// Converts <c>rgbx.Length / 4</c> pixels of 4 bytes (R, G, B and a fourth byte, ignored as
    /// libjpeg ignores alpha) into the Y, Cb and Cr rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RgbxToYCbCr(ReadOnlySpan<byte> rgbx, Span<byte> y, Span<byte> cb, Span<byte> cr)
    {
        var n = rgbx.Length / 4;
        if (y.Length < n || cb.Length < n || cr.Length < n)
        {
            throw new ArgumentException($"{n} pixels need Y, Cb and Cr rows as long, not {y.Length}, {cb.Length} and {cr.Length}");
        }

        // Four vectors of pixels (one per 32-bit lane) narrow to one vector of bytes.
        var step = Vector<byte>.Count;
        if (!Vector.IsHardwareAccelerated || n < step)
        {
            Reference.RgbxToYCbCr(rgbx[..(4 * n)], y, cb, cr);
            return;
        }

        ref var source = ref MemoryMarshal.GetReference(rgbx);
        for (var p = 0; ; p += step)
        {
            p = Math.Min(p, n - step); // the last step overlaps the one before
            ConvertStep(ref Unsafe.Add(ref source, 4 * p), y.Slice(p, step), cb.Slice(p, step), cr.Slice(p, step));
            if (p == n - step)
            {
                return;
            }
        }
    }

    /// <summary>One vector of bytes of each output, from four vectors of pixels (a pixel to a 32-bit lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ConvertStep(ref byte pixels, Span<byte> y, Span<byte> cb, Span<byte> cr)
    {
        var quarter = Vector<byte>.Count;
        var (y0, cb0, cr0) = Convert(ref pixels);
        var (y1, cb1, cr1) = Convert(ref Unsafe.Add(ref pixels, quarter));
        var (y2, cb2, cr2) = Convert(ref Unsafe.Add(ref pixels, 2 * quarter));
        var (y3, cb3, cr3) = Convert(ref Unsafe.Add(ref pixels, 3 * quarter));
        Vector.Narrow(Vector.Narrow(y0, y1), Vector.Narrow(y2, y3)).CopyTo(y);
        Vector.Narrow(Vector.Narrow(cb0, cb1), Vector.Narrow(cb2, cb3)).CopyTo(cb);
        Vector.Narrow(Vector.Narrow(cr0, cr1), Vector.Narrow(cr2, cr3)).CopyTo(cr);
    }

    /// <summary>Y, Cb and Cr (0–255 in 32-bit lanes) of a vector of pixels, each R | G·2^8 | B·2^16 | X·2^24.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<uint> Y, Vector<uint> Cb, Vector<uint> Cr) Convert(ref byte pixels)
    {
        var v = Vector.LoadUnsafe(ref Unsafe.As<byte, uint>(ref pixels));
        var mask = new Vector<uint>(0xFF);
        var r = Vector.AsVectorInt32(v & mask);
        var g = Vector.AsVectorInt32(Vector.ShiftRightLogical(v, 8) & mask);
        var b = Vector.AsVectorInt32(Vector.ShiftRightLogical(v, 16) & mask);
        var y = Vector.ShiftRightArithmetic((r * YR) + (g * YG) + (b * YB) + new Vector<int>(YRounding), 16);
        var cb = Vector.ShiftRightArithmetic((r * CbR) + (g * CbG) + (b * CbB) + new Vector<int>(ChromaOffset), 16);
        var cr = Vector.ShiftRightArithmetic((r * CrR) + (g * CrG) + (b * CrB) + new Vector<int>(ChromaOffset), 16);
        return (Vector.AsVectorUInt32(y), Vector.AsVectorUInt32(cb), Vector.AsVectorUInt32(cr));
    }

    /// <summary>
    /// libjpeg's h2v2 downsampling: each output is the mean of a 2×2 square, rounded with a bias
    /// that alternates 1, 2, 1, 2 along the row (so that rounding does not lean one way):
    /// (a + b + c + d + bias) / 4. <paramref name="top"/> and <paramref name="bottom"/> hold at least
    /// twice as many samples as <paramref name="output"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DownsampleH2V2(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, Span<byte> output)
    {
        var n = output.Length;
        if (top.Length < 2 * n || bottom.Length < 2 * n)
        {
            throw new ArgumentException($"{n} outputs need rows of {2 * n} samples, not {top.Length} and {bottom.Length}");
        }

        // A vector of outputs reads two vectors of each row. The bias alternates from 1 at an even
        // output; the last step, which overlaps the one before, may start at an odd one.
        var step = Vector<byte>.Count;
        if (!Vector.IsHardwareAccelerated || n < step)
        {
            Reference.DownsampleH2V2(top, bottom, output);
            return;
        }

        ref var t = ref MemoryMarshal.GetReference(top);
        ref var b = ref MemoryMarshal.GetReference(bottom);
        var evenBias = (Vector<uint>.Indices & Vector<uint>.One) + Vector<uint>.One;
        var oddBias = new Vector<uint>(3) - evenBias;
        for (var j = 0; ; j += step)
        {
            j = Math.Min(j, n - step); // the last step overlaps the one before
            var bias = (j & 1) == 0 ? evenBias : oddBias;
            var (s0, s1) = ColumnSums(ref t, ref b, 2 * j);
            var (s2, s3) = ColumnSums(ref t, ref b, (2 * j) + step);
            var means = Vector.Narrow(
                Vector.Narrow(PairMeans(s0, bias), PairMeans(s1, bias)),
                Vector.Narrow(PairMeans(s2, bias), PairMeans(s3, bias)));
            means.StoreUnsafe(ref MemoryMarshal.GetReference(output), (nuint)j);
            if (j == n - step)
            {
                return;
            }
        }
    }

    /// <summary>Top plus bottom for a vector of columns from <paramref name="i"/>, in 16-bit lanes (two vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<ushort> Low, Vector<ushort> High) ColumnSums(ref byte top, ref byte bottom, int i)
    {
        Vector.Widen(Vector.LoadUnsafe(ref top, (nuint)i), out var t0, out var t1);
        Vector.Widen(Vector.LoadUnsafe(ref bottom, (nuint)i), out var b0, out var b1);
        return (t0 + b0, t1 + b1);
    }

    /// <summary>Read as 32-bit lanes, each holds two neighbouring column sums: their total, biased, over 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> PairMeans(Vector<ushort> sums, Vector<uint> bias)
    {
        var pairs = Vector.AsVectorUInt32(sums);
        var total = (pairs & new Vector<uint>(0xFFFF)) + Vector.ShiftRightLogical(pairs, 16);
        return Vector.ShiftRightLogical(total + bias, 2);
    }

    /// <summary>The conversions a sample at a time: the oracle for the vector loops, and the loops themselves for short rows.</summary>
    internal static class Reference
    {
        public static void RgbxToYCbCr(ReadOnlySpan<byte> rgbx, Span<byte> y, Span<byte> cb, Span<byte> cr)
        {
            for (var p = 0; p < rgbx.Length / 4; p++)
            {
                int r = rgbx[4 * p], g = rgbx[(4 * p) + 1], b = rgbx[(4 * p) + 2];
                y[p] = (byte)(((r * YR) + (g * YG) + (b * YB) + YRounding) >> 16);
                cb[p] = (byte)(((r * CbR) + (g * CbG) + (b * CbB) + ChromaOffset) >> 16);
                cr[p] = (byte)(((r * CrR) + (g * CrG) + (b * CrB) + ChromaOffset) >> 16);
            }
        }

        public static void DownsampleH2V2(ReadOnlySpan<byte> top, ReadOnlySpan<byte> bottom, Span<byte> output)
        {
            for (var j = 0; j < output.Length; j++)
            {
                var bias = 1 + (j & 1);
                output[j] = (byte)((top[2 * j] + top[(2 * j) + 1] + bottom[2 * j] + bottom[(2 * j) + 1] + bias) >> 2);
            }
        }
    }
}
