using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>How 8-bit pixels in memory become the components of a JPEG file.</summary>
internal enum JpegLayout
{
    /// <summary>1 byte a pixel: one gray component.</summary>
    Gray,

    /// <summary>4 bytes a pixel, R G B and a fourth byte ignored (alpha, as SkiaSharp's encoder ignores it): Y, Cb and Cr, the chroma at half size each way (4:2:0).</summary>
    Rgbx,
}

/// <summary>
/// Writes baseline JPEG files byte for byte as SkiaSharp 3.119's encoder does (libjpeg-turbo
/// 2.1.5 with its defaults, the quality's tables with <c>force_baseline</c>, and
/// <c>optimize_coding</c>): the islow DCT, 4:2:0 chroma for colour, and Huffman tables made
/// for the picture. Like libjpeg with <c>optimize_coding</c> it takes two passes: the first
/// transforms and quantises every block, keeping them (<see cref="JpegScan"/>) and counting
/// the symbols they need; the tables follow from the counts; the second writes the headers and
/// the coded blocks. Nothing reaches the stream before the first pass ends, so a picture this
/// cannot write leaves no bytes behind.
/// <para>
/// Libjpeg's edges, which the bytes depend on: a picture is extended to whole blocks by repeating
/// its last column and row (colour is converted first, then repeated); chroma rows below the
/// picture repeat the last downsampled row, not the last pixel row; and where a 4:2:0 MCU
/// (16×16 pixels) has fewer luma blocks than its four, dummy blocks with no AC coefficients
/// fill it, taking the DC of the block to their left, or, below the picture, of the MCU's
/// upper-right block.
/// </para>
/// <para>
/// Measured on AMD EPYC (Zen 3, AVX2), one thread, in memory, quality 95, 2026-12-02: a 278×391
/// gray Sobel edge map 0.70 ms (SkiaSharp 3.2 ms), a 391×278 colour photo crop 1.2 ms (4.4 ms),
/// the 600×400 colour photo 2.5 ms (9.1 ms); thread CPU time, medians, with the machine shared.
/// </para>
/// </summary>
internal static class JpegWriter
{
    private static ReadOnlySpan<byte> GrayTables => [0];

    private static ReadOnlySpan<byte> ColourTables => [0, 1, 1];

    /// <summary>The components of a 4:2:0 MCU in coding order: four Y blocks, Cb, Cr.</summary>
    private static ReadOnlySpan<byte> ColourOrder => [0, 0, 0, 0, 1, 2];

    /// <summary>
    /// Whether this writer is the faster here: on x64, where SkiaSharp's libjpeg-turbo is built
    /// without its SIMD (<c>jsimd_none.c</c> in linux-x64's libSkiaSharp). On ARM64 SkiaSharp's has
    /// its NEON code, and this writer has not been timed against it there, so SkiaSharp writes the
    /// (identical) bytes.
    /// </summary>
    public static bool PaysHere => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Whether a JPEG can hold a picture of this size (1 to 65500 pixels a side, libjpeg's limit).</summary>
    public static bool Fits(int width, int height) =>
        width is >= 1 and <= JpegTables.MaxDimension && height is >= 1 and <= JpegTables.MaxDimension;

    /// <summary>
    /// Writes <paramref name="height"/> rows of <paramref name="width"/> pixels, each row starting
    /// <paramref name="stride"/> bytes after the last, as a JPEG file of <paramref name="quality"/> 1–100.
    /// </summary>
    /// <exception cref="ArgumentException">the picture is larger than a JPEG holds (see <see cref="Fits"/>), or the pixels are too few</exception>
    public static void Write(Stream output, ReadOnlySpan<byte> pixels, int width, int height, int stride, JpegLayout layout, int quality)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (!Fits(width, height))
        {
            throw new ArgumentException(
                $"a JPEG holds 1 to {JpegTables.MaxDimension} pixels a side (libjpeg's limit), but the picture is {width}×{height}", nameof(width));
        }

        var bpp = layout == JpegLayout.Gray ? 1 : 4;
        if (stride < (long)width * bpp || pixels.Length < ((long)(height - 1) * stride) + ((long)width * bpp))
        {
            throw new ArgumentException($"{pixels.Length} bytes with rows {stride} apart cannot hold {height} rows of {width} pixels of {bpp} byte(s)", nameof(pixels));
        }

        var gray = layout == JpegLayout.Gray;
        byte[][] quantisation = gray
            ? [JpegTables.Quantisation(quality, chroma: false)]
            : [JpegTables.Quantisation(quality, chroma: false), JpegTables.Quantisation(quality, chroma: true)];
        using var scan = new JpegScan(gray ? GrayTables : ColourTables);
        if (gray)
        {
            GatherGray(pixels, width, height, stride, new JpegQuantiser(quantisation[0]), scan);
        }
        else
        {
            GatherColour(pixels, width, height, stride, new JpegQuantiser(quantisation[0]), new JpegQuantiser(quantisation[1]), scan);
        }

        var dc = Enumerable.Range(0, quantisation.Length).Select(t => JpegHuffman.Optimal(scan.DcCounts.AsSpan(256 * t, 256))).ToArray();
        var ac = Enumerable.Range(0, quantisation.Length).Select(t => JpegHuffman.Optimal(scan.AcCounts(t))).ToArray();
        JpegComponent[] components = gray
            ? [new(1, 0x11, 0)]
            : [new(1, 0x22, 0), new(2, 0x11, 1), new(3, 0x11, 1)];
        var header = JpegMarkers.Header(width, height, components, quantisation, dc, ac);

        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var writer = new JpegBitWriter(output, buffer);
            writer.WriteBytes(header);
            var pending = scan.Emit(ref writer, gray ? GrayTables : ColourOrder, new JpegCodes(dc, ac));
            writer.Pad(pending);
            writer.WriteBytes(JpegMarkers.EndOfImage);
            writer.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The first pass over a gray picture: a strip of 8 rows at a time, widened to whole blocks, each block transformed and kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherGray(ReadOnlySpan<byte> pixels, int width, int height, int stride, JpegQuantiser quantiser, JpegScan scan)
    {
        var across = (width + 7) / 8;
        var padded = 8 * across;
        var strip = ArrayPool<byte>.Shared.Rent(8 * padded);
        Span<int> coefficients = stackalloc int[64];
        try
        {
            for (var y0 = 0; y0 < height; y0 += 8)
            {
                for (var r = 0; r < 8; r++)
                {
                    Widen(pixels.Slice(Math.Min(y0 + r, height - 1) * stride, width), strip.AsSpan(r * padded, padded));
                }

                for (var bx = 0; bx < across; bx++)
                {
                    var nonzero = JpegForwardDct.Transform(strip.AsSpan(8 * bx), padded, quantiser, coefficients);
                    scan.Add(coefficients, nonzero, 0);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(strip);
        }
    }

    /// <summary>
    /// The first pass over a colour picture, an MCU row (16 pixel rows) at a time: each row converted
    /// to Y, Cb and Cr and widened to whole MCUs, the chroma downsampled, then each MCU's four Y
    /// blocks (or dummies), its Cb block and its Cr block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherColour(ReadOnlySpan<byte> pixels, int width, int height, int stride, JpegQuantiser luma, JpegQuantiser chroma, JpegScan scan)
    {
        var mcusAcross = (width + 15) / 16;
        var padded = 16 * mcusAcross;
        var half = padded / 2;
        var (lumaAcross, lumaDown) = ((width + 7) / 8, (height + 7) / 8);
        var lastChromaRow = ((height + 1) / 2) - 1;
        var strips = ArrayPool<byte>.Shared.Rent((3 * 16 * padded) + (2 * 8 * half));
        Span<int> coefficients = stackalloc int[64];
        try
        {
            var y = strips.AsSpan(0, 16 * padded);
            var cbFull = strips.AsSpan(16 * padded, 16 * padded);
            var crFull = strips.AsSpan(32 * padded, 16 * padded);
            var cb = strips.AsSpan(48 * padded, 8 * half);
            var cr = strips.AsSpan((48 * padded) + (8 * half), 8 * half);
            for (var my = 0; 16 * my < height; my++)
            {
                for (var r = 0; r < 16; r++)
                {
                    var yRow = y.Slice(r * padded, padded);
                    var cbRow = cbFull.Slice(r * padded, padded);
                    var crRow = crFull.Slice(r * padded, padded);
                    if ((16 * my) + r < height)
                    {
                        JpegColour.RgbxToYCbCr(pixels.Slice(((16 * my) + r) * stride, 4 * width), yRow, cbRow, crRow);
                        Widen(yRow[..width], yRow);
                        Widen(cbRow[..width], cbRow);
                        Widen(crRow[..width], crRow);
                    }
                    else
                    {
                        // Below the picture: the last row again.
                        y.Slice((r - 1) * padded, padded).CopyTo(yRow);
                        cbFull.Slice((r - 1) * padded, padded).CopyTo(cbRow);
                        crFull.Slice((r - 1) * padded, padded).CopyTo(crRow);
                    }
                }

                for (var i = 0; i < 8; i++)
                {
                    if ((8 * my) + i <= lastChromaRow)
                    {
                        JpegColour.DownsampleH2V2(cbFull.Slice(2 * i * padded, padded), cbFull.Slice(((2 * i) + 1) * padded, padded), cb.Slice(i * half, half));
                        JpegColour.DownsampleH2V2(crFull.Slice(2 * i * padded, padded), crFull.Slice(((2 * i) + 1) * padded, padded), cr.Slice(i * half, half));
                    }
                    else
                    {
                        // Below the picture's chroma: libjpeg repeats the last downsampled row.
                        cb.Slice((i - 1) * half, half).CopyTo(cb.Slice(i * half, half));
                        cr.Slice((i - 1) * half, half).CopyTo(cr.Slice(i * half, half));
                    }
                }

                for (var mx = 0; mx < mcusAcross; mx++)
                {
                    var (left, upperRight) = (0, 0);
                    for (var yy = 0; yy < 2; yy++)
                    {
                        for (var xx = 0; xx < 2; xx++)
                        {
                            var (bx, by) = ((2 * mx) + xx, (2 * my) + yy);
                            int dc;
                            if (by >= lumaDown)
                            {
                                dc = upperRight;
                                scan.AddDummy(dc, 0);
                            }
                            else if (bx >= lumaAcross)
                            {
                                dc = left;
                                scan.AddDummy(dc, 0);
                            }
                            else
                            {
                                var nonzero = JpegForwardDct.Transform(y[((8 * yy * padded) + (8 * bx))..], padded, luma, coefficients);
                                dc = scan.Add(coefficients, nonzero, 0);
                            }

                            left = xx == 0 ? dc : left;
                            upperRight = yy == 0 && xx == 1 ? dc : upperRight;
                        }
                    }

                    var cbNonzero = JpegForwardDct.Transform(cb[(8 * mx)..], half, chroma, coefficients);
                    scan.Add(coefficients, cbNonzero, 1);
                    var crNonzero = JpegForwardDct.Transform(cr[(8 * mx)..], half, chroma, coefficients);
                    scan.Add(coefficients, crNonzero, 2);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(strips);
        }
    }

    /// <summary>Copies <paramref name="row"/> into <paramref name="padded"/> and repeats its last sample to the end.</summary>
    private static void Widen(ReadOnlySpan<byte> row, Span<byte> padded)
    {
        row.CopyTo(padded);
        padded[row.Length..].Fill(row[^1]);
    }
}
