namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// The constant tables of baseline JPEG: the zigzag order (ITU T.81 figure A.6) and the example
/// quantisation tables of Annex K.1, scaled by quality as libjpeg's <c>jpeg_set_quality</c> scales
/// them with <c>force_baseline</c> (what SkiaSharp's encoder asks for).
/// </summary>
internal static class JpegTables
{
    /// <summary>The largest width or height libjpeg writes (its <c>JPEG_MAX_DIMENSION</c>); SkiaSharp's encoder refuses more.</summary>
    public const int MaxDimension = 65500;

    /// <summary>Zigzag position k (0–63) to the natural, row-major index (8·row + column) of the coefficient it holds.</summary>
    public static ReadOnlySpan<byte> ZigzagToNatural =>
    [
        0, 1, 8, 16, 9, 2, 3, 10,
        17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34,
        27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36,
        29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46,
        53, 60, 61, 54, 47, 55, 62, 63,
    ];

    /// <summary>Annex K table K.1, luminance, natural order.</summary>
    private static ReadOnlySpan<byte> Luminance =>
    [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ];

    /// <summary>Annex K table K.2, chrominance, natural order.</summary>
    private static ReadOnlySpan<byte> Chrominance =>
    [
        17, 18, 24, 47, 99, 99, 99, 99,
        18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
    ];

    /// <summary>
    /// libjpeg's percentage scaling of a quality 1–100: 5000/q below 50, 200 − 2q from 50 (50 keeps
    /// the tables as printed, 100 makes every entry 1).
    /// </summary>
    public static int Scaling(int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        return quality < 50 ? 5000 / quality : 200 - (2 * quality);
    }

    /// <summary>
    /// The quantisation table for <paramref name="quality"/>, natural order: each Annex K entry
    /// times the scaling, rounded ((base · scale + 50) / 100), kept within 1–255 so that every
    /// entry fits baseline JPEG's 8-bit tables.
    /// </summary>
    /// <param name="quality">1 to 100</param>
    /// <param name="chroma">the chrominance table (Cb and Cr) rather than the luminance one</param>
    public static byte[] Quantisation(int quality, bool chroma)
    {
        var scale = Scaling(quality);
        var basis = chroma ? Chrominance : Luminance;
        var table = new byte[64];
        for (var i = 0; i < 64; i++)
        {
            table[i] = (byte)Math.Clamp(((basis[i] * scale) + 50) / 100, 1, 255);
        }

        return table;
    }
}
