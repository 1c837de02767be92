using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// Chroma upsampling and YCbCr → RGB as libjpeg does them with its defaults ("fancy"
/// upsampling, not the merged upsampler): the triangle filters that weigh the nearer sample
/// 3 to 1, with libjpeg's alternating rounding, and the JFIF conversion in 16-bit fixed point.
/// </summary>
internal static class JpegDecoderColor
{
    // JFIF's coefficients as libjpeg rounds them: round(c · 2^16).
    private const int CrToR = 91881;  // 1.40200
    private const int CbToB = 116130; // 1.77200
    private const int CrToG = 46802;  // 0.71414
    private const int CbToG = 22554;  // 0.34414
    private const int Half = 1 << 15;

    /// <summary>
    /// A row of samples doubled horizontally (libjpeg's h2v1 fancy upsampling): each output is
    /// (3 · nearer + farther + 1 or 2) / 4, the end samples copied. <paramref name="output"/>
    /// takes 2 · input length samples; rows of 2 samples or fewer are box-doubled instead, as libjpeg does.
    /// </summary>
    public static void UpsampleH2V1(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (Vector128.IsHardwareAccelerated && input.Length >= 10)
        {
            UpsampleVector(input, input, vertical: false, output);
            return;
        }

        UpsampleH2V1Scalar(input, output);
    }

    /// <summary><see cref="UpsampleH2V1"/> a sample at a time: the reference of the vector loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpsampleH2V1Scalar(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var n = input.Length;
        if (n <= 2)
        {
            BoxDouble(input, output);
            return;
        }

        output[0] = input[0];
        output[1] = (byte)(((input[0] * 3) + input[1] + 2) >> 2);
        for (var i = 1; i < n - 1; i++)
        {
            var v = input[i] * 3;
            output[2 * i] = (byte)((v + input[i - 1] + 1) >> 2);
            output[(2 * i) + 1] = (byte)((v + input[i + 1] + 2) >> 2);
        }

        output[(2 * n) - 2] = (byte)(((input[n - 1] * 3) + input[n - 2] + 1) >> 2);
        output[(2 * n) - 1] = input[n - 1];
    }

    /// <summary>
    /// One output row of libjpeg's h2v2 fancy upsampling: columns 3 · <paramref name="near"/> +
    /// <paramref name="far"/> (the chroma row this output row lies in, and the one above or below
    /// it), then doubled horizontally weighing them 3 to 1, divided by 16 with rounding 8 on even
    /// outputs and 7 on odd ones. Rows of 2 samples or fewer are box-doubled from <paramref name="near"/>.
    /// </summary>
    public static void UpsampleH2V2(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> output)
    {
        if (Vector128.IsHardwareAccelerated && near.Length >= 10)
        {
            UpsampleVector(near, far, vertical: true, output);
            return;
        }

        UpsampleH2V2Scalar(near, far, output);
    }

    /// <summary><see cref="UpsampleH2V2"/> a sample at a time: the reference of the vector loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpsampleH2V2Scalar(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> output)
    {
        var n = near.Length;
        if (n <= 2)
        {
            BoxDouble(near, output);
            return;
        }

        var last = (near[0] * 3) + far[0];
        var current = last;
        output[0] = (byte)(((current * 4) + 8) >> 4);
        for (var i = 0; i < n - 1; i++)
        {
            var next = (near[i + 1] * 3) + far[i + 1];
            if (i > 0)
            {
                output[2 * i] = (byte)(((current * 3) + last + 8) >> 4);
            }

            output[(2 * i) + 1] = (byte)(((current * 3) + next + 7) >> 4);
            (last, current) = (current, next);
        }

        output[(2 * n) - 2] = (byte)(((current * 3) + last + 8) >> 4);
        output[(2 * n) - 1] = (byte)(((current * 4) + 7) >> 4);
    }

    /// <summary>
    /// Both fancy upsamplers, 8 samples (16 outputs) a step over the samples with a neighbour on
    /// each side, the last step overlapping the one before; the two end samples through the scalar
    /// formulas. Column values c are the samples (h2v1) or 3 · near + far (h2v2); an output is
    /// (3 · c + the neighbour's c + rounding) ≫ shift, even outputs with the left neighbour, odd
    /// ones with the right; 16-bit lanes hold every value (at most 16 · 255). Even and odd outputs
    /// are interleaved by packing them as the low and high bytes of 16-bit lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpsampleVector(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, bool vertical, Span<byte> output)
    {
        var n = near.Length;
        var (evenRound, oddRound, shift) = vertical ? (8, 7, 4) : (1, 2, 2);
        var (re, ro) = (Vector128.Create((ushort)evenRound), Vector128.Create((ushort)oddRound));
        for (var i = 1; ; i += 8)
        {
            i = Math.Min(i, n - 9);
            var c = Columns(near, far, i, vertical);
            var even = ((c * 3) + Columns(near, far, i - 1, vertical) + re) >> shift;
            var odd = ((c * 3) + Columns(near, far, i + 1, vertical) + ro) >> shift;
            (even | (odd << 8)).AsByte().CopyTo(output[(2 * i)..]);
            if (i == n - 9)
            {
                break;
            }
        }

        // The ends: column 0's two outputs and column n − 1's, by the scalar formulas.
        var (first, second, last, beforeLast) = (Column(near, far, 0, vertical), Column(near, far, 1, vertical), Column(near, far, n - 1, vertical), Column(near, far, n - 2, vertical));
        output[0] = (byte)(vertical ? ((first * 4) + 8) >> 4 : first);
        output[1] = (byte)(((first * 3) + second + oddRound) >> shift);
        output[(2 * n) - 2] = (byte)(((last * 3) + beforeLast + evenRound) >> shift);
        output[(2 * n) - 1] = (byte)(vertical ? ((last * 4) + 7) >> 4 : last);
    }

    private static int Column(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int i, bool vertical) => vertical ? (near[i] * 3) + far[i] : near[i];

    /// <summary>Eight column values from sample <paramref name="i"/> on, in 16-bit lanes.</summary>
    private static Vector128<ushort> Columns(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int i, bool vertical)
    {
        var a = Vector128.WidenLower(Vector128.CreateScalar(BinaryPrimitives.ReadUInt64LittleEndian(near[i..])).AsByte());
        return vertical ? (a * 3) + Vector128.WidenLower(Vector128.CreateScalar(BinaryPrimitives.ReadUInt64LittleEndian(far[i..])).AsByte()) : a;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BoxDouble(ReadOnlySpan<byte> input, Span<byte> output)
    {
        for (var i = 0; i < input.Length; i++)
        {
            output[2 * i] = output[(2 * i) + 1] = input[i];
        }
    }

    /// <summary>
    /// YCbCr to RGBA (alpha 255) for <paramref name="rgba"/>.Length / 4 pixels:
    /// R = Y + round(1.402 (Cr − 128)), B = Y + round(1.772 (Cb − 128)),
    /// G = Y + ⌊(−0.34414 (Cb − 128) − 0.71414 (Cr − 128)) · 2^16 + 2^15⌋ / 2^16, each clamped to [0, 255].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void YCbCrToRgba(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgba)
    {
        var n = rgba.Length / 4;
        if (Vector128.IsHardwareAccelerated && n >= 16)
        {
            // 16 pixels a step; the last step overlaps the one before (a pixel depends on its own samples only).
            for (var i = 0; ; i += 16)
            {
                i = Math.Min(i, n - 16);
                Convert16(y[i..], cb[i..], cr[i..], rgba[(4 * i)..]);
                if (i == n - 16)
                {
                    return;
                }
            }
        }

        YCbCrToRgbaScalar(y, cb, cr, rgba);
    }

    /// <summary><see cref="YCbCrToRgba"/> a pixel at a time: the reference of the vector loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void YCbCrToRgbaScalar(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgba)
    {
        var n = rgba.Length / 4;
        for (var i = 0; i < n; i++)
        {
            int luma = y[i], b = cb[i] - 128, r = cr[i] - 128;
            rgba[4 * i] = Clamp(luma + (((CrToR * r) + Half) >> 16));
            rgba[(4 * i) + 1] = Clamp(luma + (((-CbToG * b) + Half + (-CrToG * r)) >> 16));
            rgba[(4 * i) + 2] = Clamp(luma + (((CbToB * b) + Half) >> 16));
            rgba[(4 * i) + 3] = 255;
        }
    }

    /// <summary>Sixteen pixels: the samples widened to four vectors of ints, each pixel assembled as R | G ≪ 8 | B ≪ 16 | 255 ≪ 24.</summary>
    private static void Convert16(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgba)
    {
        var (y0, y1, y2, y3) = Widen(Vector128.Create(y[..16]));
        var (b0, b1, b2, b3) = Widen(Vector128.Create(cb[..16]));
        var (r0, r1, r2, r3) = Widen(Vector128.Create(cr[..16]));
        Pixels(y0, b0, r0).AsByte().CopyTo(rgba);
        Pixels(y1, b1, r1).AsByte().CopyTo(rgba[16..]);
        Pixels(y2, b2, r2).AsByte().CopyTo(rgba[32..]);
        Pixels(y3, b3, r3).AsByte().CopyTo(rgba[48..]);
    }

    private static (Vector128<int>, Vector128<int>, Vector128<int>, Vector128<int>) Widen(Vector128<byte> v)
    {
        var (lo, hi) = Vector128.Widen(v);
        var (a, b) = Vector128.Widen(lo);
        var (c, d) = Vector128.Widen(hi);
        return (a.AsInt32(), b.AsInt32(), c.AsInt32(), d.AsInt32());
    }

    private static Vector128<int> Pixels(Vector128<int> luma, Vector128<int> cb, Vector128<int> cr)
    {
        var (b, r, half) = (cb - Vector128.Create(128), cr - Vector128.Create(128), Vector128.Create(Half));
        var red = Clamp(luma + (((r * CrToR) + half) >> 16));
        var green = Clamp(luma + (((b * -CbToG) + half + (r * -CrToG)) >> 16));
        var blue = Clamp(luma + (((b * CbToB) + half) >> 16));
        return red | (green << 8) | (blue << 16) | Vector128.Create(unchecked((int)0xFF000000));
    }

    private static Vector128<int> Clamp(Vector128<int> v) => Vector128.Min(Vector128.Max(v, Vector128<int>.Zero), Vector128.Create(255));

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
