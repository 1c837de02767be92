using ConvSharp.Imaging.Jpeg;
using SkiaSharp;

namespace ConvSharp.Tests.Support;

/// <summary>Both decoders of a JPEG held in memory, for the tests that compare them byte for byte.</summary>
internal static class JpegDecoding
{
    /// <summary>The pixels SkiaSharp's scanline decoder gives (Gray8 for a gray file, RGBA unpremul otherwise), or null where it fails.</summary>
    public static byte[]? Skia(byte[] file)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(file));
        if (codec is null)
        {
            return null;
        }

        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        if (codec.StartScanlineDecode(info) != SKCodecResult.Success)
        {
            return null;
        }

        var pixels = new byte[info.RowBytes * info.Height];
        unsafe
        {
            fixed (byte* p = pixels)
            {
                return codec.GetScanlines((nint)p, info.Height, info.RowBytes) == info.Height ? pixels : null;
            }
        }
    }

    /// <summary>The fast decoder's pixels (1 byte a pixel for gray, 4 for colour), or null where it refuses the file (or the picture is over 64 MB).</summary>
    public static byte[]? Fast(byte[] file)
    {
        var header = JpegDecoderHeader.TryRead(file);
        if (header is null)
        {
            return null;
        }

        var rowBytes = header.Components.Length == 1 ? header.Width : 4 * header.Width;
        if ((long)rowBytes * header.Height > 1 << 26)
        {
            // A mutated header's huge picture: decoded into one reused row (it must not throw), not compared.
            var row = new byte[rowBytes];
            JpegDecoder.TryDecode(file, header, _ => row);
            return null;
        }

        var pixels = new byte[rowBytes * header.Height];
        return JpegDecoder.TryDecode(file, header, y => pixels.AsSpan(y * rowBytes, rowBytes)) ? pixels : null;
    }

    /// <summary>Where two pixel buffers first differ, for a failure message.</summary>
    public static string FirstDifference(byte[] expected, byte[] actual)
    {
        if (expected.Length != actual.Length)
        {
            return $"lengths {expected.Length} and {actual.Length}";
        }

        var i = expected.AsSpan().CommonPrefixLength(actual);
        return i == expected.Length ? "none" : $"byte {i}: expected {expected[i]}, got {actual[i]}";
    }

    /// <summary>A picture encoded by SkiaSharp: gray or colour with the given chroma subsampling.</summary>
    public static byte[] EncodeWithSkia(byte[] rgba, int width, int height, bool gray, int quality, SKJpegEncoderDownsample downsample)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
        var span = bitmap.GetPixelSpan();
        if (gray)
        {
            for (var i = 0; i < width * height; i++)
            {
                span[i] = rgba[4 * i];
            }
        }
        else
        {
            rgba.AsSpan(0, width * height * 4).CopyTo(span);
        }

        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKJpegEncoderOptions(quality, downsample, SKJpegEncoderAlphaOption.Ignore))!;
        return data.ToArray();
    }

    /// <summary>A photo from data/images as opaque RGBA, cropped to at most <paramref name="width"/> × <paramref name="height"/> from (x, y).</summary>
    public static (byte[] Rgba, int Width, int Height) Photo(string name, int x, int y, int width, int height)
    {
        using var full = SKBitmap.Decode(Photos.Data(name));
        width = Math.Min(width, full.Width - x);
        height = Math.Min(height, full.Height - y);
        var rgba = new byte[width * height * 4];
        for (var r = 0; r < height; r++)
        {
            for (var c = 0; c < width; c++)
            {
                var p = full.GetPixel(x + c, y + r);
                var at = 4 * ((r * width) + c);
                (rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]) = (p.Red, p.Green, p.Blue, 255);
            }
        }

        return (rgba, width, height);
    }
}
