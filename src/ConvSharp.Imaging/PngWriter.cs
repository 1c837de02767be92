using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.Intrinsics;

namespace ConvSharp.Imaging;

/// <summary>How 8-bit pixels in memory become the pixels of a PNG file.</summary>
internal enum PngLayout
{
    /// <summary>1 byte a pixel, written as grayscale (colour type 0).</summary>
    Gray,

    /// <summary>4 bytes a pixel, R G B and a fourth byte dropped: RGB (colour type 2), for opaque pictures.</summary>
    RgbFromRgbx,

    /// <summary>4 bytes a pixel, R G B A unpremultiplied: RGBA (colour type 6).</summary>
    Rgba,
}

/// <summary>
/// How a PNG is compressed: zlib's level (0–9) and strategy, and the row filter, a fixed one or,
/// when <see cref="Filter"/> is null, libpng's choice per row (<see cref="PngFilters.Choose"/>).
/// </summary>
internal readonly record struct PngSettings(int Level, ZLibCompressionStrategy Strategy, PngFilter? Filter);

/// <summary>
/// Writes 8-bit, non-interlaced PNG files: signature, IHDR, IDAT, IEND. It streams: each row is
/// filtered and handed to zlib (.NET's <see cref="ZLibStream"/>) as it comes, and the compressed
/// bytes leave as IDAT chunks of 64 KiB, so memory stays a few rows and one chunk whatever the
/// picture's size. zlib is called from managed code and never calls back, so a failing stream
/// (a full disk) throws its own exception straight to the caller.
/// </summary>
internal static class PngWriter
{
    /// <summary>
    /// The public compression scale 0–9 as zlib settings and a row filter, chosen by measurement
    /// (.NET's zlib is zlib-ng; see <see cref="ImageFile.DefaultPngCompression"/>): 0 stores the rows
    /// unfiltered; 1–3 are one setting, run-length matching (zlib-ng's Z_RLE, which no level
    /// changes), since zlib-ng's own levels 1–3 made larger files and were no faster; 4–8 are
    /// zlib's levels 4–8; 9 is level 9 with the Filtered strategy, smaller than plain level 9.
    /// Every level but 0 chooses each row's filter (<see cref="PngFilters.Choose"/>).
    /// </summary>
    public static PngSettings Settings(int compression) => compression switch
    {
        0 => new(0, ZLibCompressionStrategy.Default, PngFilter.None),
        >= 1 and <= 3 => new(1, ZLibCompressionStrategy.RunLengthEncoding, null),
        >= 4 and <= 8 => new(compression, ZLibCompressionStrategy.Default, null),
        9 => new(9, ZLibCompressionStrategy.Filtered, null),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "the PNG compression runs from 0 to 9"),
    };

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Writes <paramref name="height"/> rows of <paramref name="width"/> pixels, each row starting
    /// <paramref name="stride"/> bytes after the last, from <paramref name="pixels"/>.
    /// </summary>
    public static void Write(Stream output, ReadOnlySpan<byte> pixels, int width, int height, int stride, PngLayout layout, PngSettings settings)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.Level, 9);
        var (sourceBpp, bpp, colourType) = layout switch
        {
            PngLayout.Gray => (1, 1, (byte)0),
            PngLayout.RgbFromRgbx => (4, 3, (byte)2),
            _ => (4, 4, (byte)6),
        };

        // Checked: a row and its filter byte must fit an array; a huge width throws rather than wraps.
        var rowBytes = checked(width * bpp);
        _ = checked(rowBytes + 1);
        if (stride < (long)width * sourceBpp || pixels.Length < ((long)(height - 1) * stride) + ((long)width * sourceBpp))
        {
            throw new ArgumentException($"{pixels.Length} bytes with rows {stride} apart cannot hold {height} rows of {width} pixels of {sourceBpp} byte(s)", nameof(pixels));
        }

        output.Write(Signature);
        WriteHeader(output, width, height, colourType);
        var idat = new IdatStream(output);
        using (var zlib = new ZLibStream(idat, new ZLibCompressionOptions { CompressionLevel = settings.Level, CompressionStrategy = settings.Strategy }, leaveOpen: true))
        {
            WriteRows(zlib, pixels, width, height, stride, layout, sourceBpp, bpp, rowBytes, settings.Filter);
        }

        idat.Flush();
        PngChunks.Write(output, "IEND"u8, []);
    }

    /// <summary>IHDR: width, height, bit depth 8, the colour type, compression 0 (deflate), filter method 0, no interlace.</summary>
    private static void WriteHeader(Stream output, int width, int height, byte colourType)
    {
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;
        header[9] = colourType;
        header[10] = header[11] = header[12] = 0;
        PngChunks.Write(output, "IHDR"u8, header);
    }

    /// <summary>
    /// Filters each row against the raw previous one (zeros above the first) and hands the filtered
    /// rows, each after its filter byte, to zlib in batches of about 32 KiB (one call per row would
    /// cost more than the compression of a narrow row).
    /// </summary>
    private static void WriteRows(Stream zlib, ReadOnlySpan<byte> pixels, int width, int height, int stride, PngLayout layout, int sourceBpp, int bpp, int rowBytes, PngFilter? filter)
    {
        var line = rowBytes + 1;
        var batch = new byte[Math.Max(line, 32 * 1024 / line * line)];
        var scratch = filter is null ? new byte[PngFilters.Count * rowBytes] : [];
        var zeros = new byte[rowBytes];
        var converted = layout == PngLayout.RgbFromRgbx ? new byte[2 * rowBytes] : [];
        var prior = (ReadOnlySpan<byte>)zeros;
        var used = 0;
        for (var y = 0; y < height; y++)
        {
            var source = pixels.Slice(y * stride, width * sourceBpp); // inside pixels, an int-sized span, as Write checked
            ReadOnlySpan<byte> row = source;
            if (layout == PngLayout.RgbFromRgbx)
            {
                // Two alternating buffers: this row's RGB and the previous row's, which the filters read.
                var rgb = converted.AsSpan((y & 1) * rowBytes, rowBytes);
                DropFourthBytes(source, rgb);
                row = rgb;
            }

            if (used + line > batch.Length)
            {
                zlib.Write(batch, 0, used);
                used = 0;
            }

            var target = batch.AsSpan(used + 1, rowBytes);
            if (filter is { } fixedFilter)
            {
                batch[used] = (byte)fixedFilter;
                PngFilters.Apply(fixedFilter, row, prior, bpp, target);
            }
            else
            {
                batch[used] = (byte)PngFilters.Choose(row, prior, bpp, scratch, out var chosen);
                chosen.CopyTo(target);
            }

            used += line;
            prior = row;
        }

        zlib.Write(batch, 0, used);
    }

    /// <summary>RGBX to RGB: four pixels at a time by a byte shuffle where vectors are accelerated, one at a time after.</summary>
    private static void DropFourthBytes(ReadOnlySpan<byte> rgbx, Span<byte> rgb)
    {
        var pixels = rgb.Length / 3;
        var p = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Each 16-byte store writes 12 bytes of RGB and 4 the next step overwrites, so it stops 6 pixels short of the end.
            var keep = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
            for (; p + 6 <= pixels; p += 4)
            {
                Vector128.Shuffle(Vector128.Create(rgbx.Slice(4 * p, 16)), keep).CopyTo(rgb[(3 * p)..]);
            }
        }

        for (; p < pixels; p++)
        {
            rgb[3 * p] = rgbx[4 * p];
            rgb[(3 * p) + 1] = rgbx[(4 * p) + 1];
            rgb[(3 * p) + 2] = rgbx[(4 * p) + 2];
        }
    }
}
