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
    public static void YCbCrToRgba(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgba)
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

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
