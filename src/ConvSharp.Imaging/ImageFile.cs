using ConvSharp.Imaging.Jpeg;
using ConvSharp.Interop;
using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>
/// Image files to and from tensors of shape (C, H, W) with values in [0, 1]: C is 1 for gray,
/// 3 for RGB (4 with alpha kept). Reading takes PNG, JPEG, WebP, BMP and GIF (its first
/// frame), turned upright by the JPEG's EXIF orientation; writing takes PNG, JPEG and WebP,
/// chosen by the file's extension.
/// </summary>
public static class ImageFile
{
    /// <summary>The largest image accepted, in pixels (a quarter of a gigapixel), so that a forged header cannot exhaust memory.</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>The extensions <see cref="Load(string, ImageLoadOptions?)"/> reads, lower case with the dot.</summary>
    public static IReadOnlySet<string> ReadableExtensions { get; } =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The extensions <see cref="Save"/> writes.</summary>
    public static IReadOnlySet<string> WritableExtensions { get; } =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Reads an image file into a (C, H, W) tensor in [0, 1].
    /// </summary>
    /// <exception cref="FileNotFoundException">there is no such file</exception>
    /// <exception cref="InvalidDataException">the file is empty, truncated, corrupt, not an image, or too large</exception>
    public static Tensor Load(string path, ImageLoadOptions? options = null)
    {
        using var raster = Open(path, options);
        return raster.ToTensor();
    }

    /// <summary>
    /// Decodes an image file into an <see cref="ImageRaster"/>: its pixels at 8 bits per channel,
    /// read as float rows on demand (a quarter of the tensor's memory, a sixteenth for gray).
    /// </summary>
    /// <exception cref="FileNotFoundException">there is no such file</exception>
    /// <exception cref="InvalidDataException">the file is empty, truncated, corrupt, not an image, or too large</exception>
    public static ImageRaster Open(string path, ImageLoadOptions? options = null) => Open(path, options, beforeDecode: null);

    /// <summary>
    /// <see cref="Open(string, ImageLoadOptions?)"/> that first shows the upright width and height
    /// to <paramref name="beforeDecode"/>, which may refuse the image by throwing before anything
    /// is decoded: one opening of the file where <see cref="Dimensions"/> then Open would take two.
    /// </summary>
    internal static ImageRaster Open(string path, ImageLoadOptions? options, Action<int, int>? beforeDecode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var codec = OpenCodec(path, out var jpeg);
        if (beforeDecode is not null)
        {
            var (width, height) = UprightSize(codec);
            beforeDecode(width, height);
        }

        return ImageRaster.Decode(codec, path, options ?? ImageLoadOptions.Default, jpeg);
    }

    /// <summary>
    /// The upright width and height of an image file, from its header alone: what a caller
    /// checks before it decides to decode.
    /// </summary>
    /// <exception cref="FileNotFoundException">there is no such file</exception>
    /// <exception cref="InvalidDataException">the file is empty, not an image, or too large</exception>
    public static (int Width, int Height) Dimensions(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var codec = OpenCodec(path, out _, readJpeg: false);
        return UprightSize(codec);
    }

    /// <summary>The width and height as shown, after the EXIF orientation (which may swap them).</summary>
    private static (int Width, int Height) UprightSize(SKCodec codec)
    {
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        return codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom
            ? (height, width)
            : (width, height);
    }

    /// <summary>Decodes an image from a stream; <paramref name="name"/> names it in errors.</summary>
    public static Tensor Decode(Stream stream, string name, ImageLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        using var codec = OpenCodec(new SKMemoryStream(bytes), bytes.Length, name);
        using var raster = ImageRaster.Decode(codec, name, options ?? ImageLoadOptions.Default, bytes);
        return raster.ToTensor();
    }

    /// <summary>
    /// A JPEG file up to this size (64 MB) is read into memory whole where ConvSharp's own decoder
    /// pays (<see cref="JpegDecoder.PaysHere"/>): the codec reads it from there (SkiaSharp's memory
    /// stream holds a copy), and the decoder decodes the same bytes. A larger one (a picture
    /// beyond <see cref="MaxPixels"/>, most likely) is read by SkiaSharp from the file.
    /// </summary>
    private const long MaxJpegBytesInMemory = 64L << 20;

    /// <summary>
    /// Opens a codec on the file. A JPEG (of at most <see cref="MaxJpegBytesInMemory"/> bytes) is
    /// read whole into <paramref name="jpeg"/> when <paramref name="readJpeg"/> asks; null otherwise.
    /// </summary>
    private static SKCodec OpenCodec(string path, out byte[]? jpeg, bool readJpeg = true)
    {
        jpeg = null;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        // A pipe or a device is refused before it is opened (opening a pipe waits for a writer).
        var length = InputFile.Length(path);

        using (var file = File.OpenRead(path))
        {
            // .NET's own open first: an unreadable file gets its clear message, not Skia's "not valid".
            if (readJpeg && JpegDecoder.PaysHere && length <= MaxJpegBytesInMemory && IsJpeg(file))
            {
                var bytes = new byte[length];
                file.Position = 0;
                var read = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                jpeg = read == bytes.Length ? bytes : bytes[..read];
            }
        }

        return jpeg is not null
            ? OpenCodec(new SKMemoryStream(jpeg), jpeg.Length, path)
            : OpenCodec(new SKFileStream(path), length, path);
    }

    /// <summary>Whether a file begins as a JPEG does (SOI, then a marker).</summary>
    private static bool IsJpeg(FileStream file)
    {
        Span<byte> start = stackalloc byte[3];
        return file.ReadAtLeast(start, 3, throwOnEndOfStream: false) == 3 && start[0] == 0xFF && start[1] == 0xD8 && start[2] == 0xFF;
    }

    /// <summary>
    /// Opens a codec on <paramref name="stream"/>, which it then owns; checks the header's size
    /// before anything is decoded. The stream is one of Skia's own (file or memory), never a
    /// wrapped .NET stream: a decoder that asks a wrapped stream for an absurd read (a forged
    /// file can make it) gets an exception thrown inside native code, which ends the process.
    /// </summary>
    private static SKCodec OpenCodec(SKStream stream, long length, string name)
    {
        if (length == 0)
        {
            stream.Dispose();
            throw new InvalidDataException($"{name}: the file is empty");
        }

        var codec = SKCodec.Create(stream, out var opened)
            ?? throw new InvalidDataException(opened == SKCodecResult.IncompleteInput
                ? $"{name}: not an image, or one truncated inside its header ({length} bytes; PNG, JPEG, WebP, BMP or GIF expected)"
                : $"{name}: not an image (PNG, JPEG, WebP, BMP or GIF expected; the decoder says {opened})");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
        {
            codec.Dispose();
            throw new InvalidDataException($"{name}: an image of {width}×{height} pixels is outside what ConvSharp loads (1 to {MaxPixels} pixels)");
        }

        return codec;
    }

    /// <summary>
    /// The PNG compression <see cref="Save"/> uses unless told: 1, zlib's run-length matching, each
    /// row's filter chosen as libpng chooses it. Measured on 200 photo crops filtered by
    /// <c>convsharp apply</c> (edge maps and blurred photos, 120,000 pixels each): 2.3–2.8 ms a
    /// picture, against 15–23 ms for SkiaSharp's encoder (zlib level 6) and 3.8–4.3 ms for
    /// OpenCV's default; files 0.3 % smaller than SkiaSharp's for edge maps and 6 % larger for
    /// blurred photos, 12–26 % smaller than OpenCV's. Levels 4–9 make blurred photos up to 9 %
    /// smaller at 2 to 30 times the time (edge maps come out no smaller); 0 stores the pixels.
    /// </summary>
    public const int DefaultPngCompression = 1;

    /// <summary>
    /// Writes a (C, H, W) tensor (C = 1, 3 or 4) or an (H, W) tensor as an image, by the extension
    /// of <paramref name="path"/>: .png, .jpg/.jpeg or .webp. Values are clamped to [0, 1] and
    /// rounded to 8 bits; map filter responses first with <see cref="Display.Map"/>. The file is
    /// written whole or not at all.
    /// </summary>
    /// <param name="image">the picture</param>
    /// <param name="path">where; the folder must exist</param>
    /// <param name="quality">JPEG and WebP quality, 1 to 100</param>
    /// <param name="compression">PNG compression, 0 to 9, every level lossless: 0 stores the pixels
    /// uncompressed, 1–3 are one fast setting (run-length matching), 4–9 search harder, 9 making the
    /// smallest files and taking longest (see <see cref="DefaultPngCompression"/>)</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quality"/> or <paramref name="compression"/> is out of its range</exception>
    /// <exception cref="IOException">the file cannot be written (a full disk, say); nothing is left at <paramref name="path"/></exception>
    public static void Save(Tensor image, string path, int quality = 95, int compression = DefaultPngCompression)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        CheckCompression(compression);
        var format = FormatFor(path);
        using var bitmap = PixelConversion.ToBitmap(image);
        WriteEncoded(bitmap, format, path, quality, compression);
    }

    /// <summary>Writes a picture filled a band at a time (<see cref="PictureRows"/>), by the extension of <paramref name="path"/>.</summary>
    /// <param name="picture">the picture</param>
    /// <param name="path">where</param>
    /// <param name="quality">JPEG and WebP quality</param>
    /// <param name="compression">PNG compression, 0 to 9</param>
    /// <param name="onEncoded">called once the picture is encoded, before the file is flushed and put in place (for timing)</param>
    /// <param name="commit">
    /// takes the encoded file to flush and put in place later (and then owns it: it must commit or
    /// dispose it); null to do so before returning
    /// </param>
    internal static void SavePicture(
        PictureRows picture, string path, int quality = 95, int compression = DefaultPngCompression, Action? onEncoded = null, Action<AtomicFile.Pending>? commit = null)
    {
        CheckCompression(compression);
        WriteEncoded(picture.Bitmap, FormatFor(path), path, quality, compression, onEncoded, commit: commit);
    }

    /// <summary>
    /// Encodes straight into the temporary file, with no second copy of the encoded image in
    /// memory. PNG goes through <see cref="PngWriter"/> and JPEG through <see cref="JpegWriter"/>,
    /// all managed code, so a failing write (a full disk) throws here directly. WebP, and bitmaps
    /// of other kinds than <see cref="PictureRows"/> makes, go through SkiaSharp's native encoders
    /// via a stream whose callbacks never throw into native code (<see cref="GuardedWStream"/>).
    /// Either way a failure is an <see cref="IOException"/> naming <paramref name="path"/>, the
    /// temporary file is deleted, and the process goes on.
    /// </summary>
    /// <param name="bitmap">the picture</param>
    /// <param name="format">the encoder</param>
    /// <param name="path">where</param>
    /// <param name="quality">JPEG and WebP quality</param>
    /// <param name="compression">PNG compression</param>
    /// <param name="onEncoded">called once the picture is encoded, before the file is flushed and put in place</param>
    /// <param name="through">wraps the file's stream (tests make it fail as a full disk does); null for the file itself</param>
    /// <param name="commit">takes the encoded file to put in place later (see <see cref="SavePicture"/>); null to commit it here</param>
    internal static void WriteEncoded(
        SKBitmap bitmap, SKEncodedImageFormat format, string path, int quality, int compression, Action? onEncoded = null,
        Func<Stream, Stream>? through = null, Action<AtomicFile.Pending>? commit = null)
    {
        var file = AtomicFile.Create(path);
        try
        {
            EncodeInto(file, bitmap, format, path, quality, compression, through);
            onEncoded?.Invoke();
        }
        catch
        {
            file.Dispose(); // deletes the temporary file
            throw;
        }

        if (commit is not null)
        {
            commit(file);
            return;
        }

        using (file)
        {
            file.Commit();
        }
    }

    /// <summary>Encodes <paramref name="bitmap"/> into the temporary <paramref name="file"/>.</summary>
    private static void EncodeInto(AtomicFile.Pending file, SKBitmap bitmap, SKEncodedImageFormat format, string path, int quality, int compression, Func<Stream, Stream>? through)
    {
        var stream = through?.Invoke(file.Stream) ?? file.Stream;
        if (format == SKEncodedImageFormat.Png && PngLayoutOf(bitmap) is { } layout)
        {
            try
            {
                WritePng(bitmap, layout, stream, compression);
            }
            catch (IOException e)
            {
                throw file.Failure(e);
            }
        }
        else if (format == SKEncodedImageFormat.Jpeg && JpegLayoutOf(bitmap) is { } jpegLayout)
        {
            if (!JpegWriter.Fits(bitmap.Width, bitmap.Height))
            {
                throw new IOException($"cannot write {path}: {JpegTooLarge(bitmap)}");
            }

            if (!JpegWriter.PaysHere)
            {
                EncodeWithSkia(bitmap, format, path, quality, compression, stream, file); // the same bytes
                return;
            }

            try
            {
                WriteJpeg(bitmap, jpegLayout, stream, quality);
            }
            catch (IOException e)
            {
                throw file.Failure(e);
            }
        }
        else
        {
            EncodeWithSkia(bitmap, format, path, quality, compression, stream, file);
        }
    }

    private static void EncodeWithSkia(SKBitmap bitmap, SKEncodedImageFormat format, string path, int quality, int compression, Stream stream, AtomicFile.Pending file)
    {
        bool encoded;
        Exception? failure;
        using (var output = new GuardedWStream(stream))
        {
            encoded = EncodeWithSkia(bitmap, output, format, quality, compression);
            output.Flush();
            failure = output.Failure;
        }

        if (failure is not null)
        {
            throw file.Failure(failure);
        }

        if (!encoded)
        {
            throw new IOException($"cannot write {path}: SkiaSharp could not encode a {bitmap.Width}×{bitmap.Height} {bitmap.ColorType} picture as {format}");
        }
    }

    /// <summary>SkiaSharp's encoders; a PNG of a bitmap <see cref="PngWriter"/> does not take keeps the compression's zlib level.</summary>
    private static bool EncodeWithSkia(SKBitmap bitmap, SKWStream output, SKEncodedImageFormat format, int quality, int compression)
    {
        if (format != SKEncodedImageFormat.Png)
        {
            return bitmap.Encode(output, format, quality);
        }

        using var pixels = bitmap.PeekPixels();
        return pixels.Encode(output, new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, PngWriter.Settings(compression).Level));
    }

    /// <summary>
    /// How <see cref="PngWriter"/> writes a bitmap, as SkiaSharp's encoder wrote it before: gray as
    /// gray, opaque RGBA as RGB, unpremultiplied RGBA as RGBA (the bitmaps of <see cref="PictureRows"/>).
    /// Null for any other kind, which SkiaSharp's encoder keeps.
    /// </summary>
    internal static PngLayout? PngLayoutOf(SKBitmap bitmap) => (bitmap.ColorType, bitmap.AlphaType) switch
    {
        (SKColorType.Gray8, SKAlphaType.Opaque) => PngLayout.Gray,
        (SKColorType.Rgba8888, SKAlphaType.Opaque) => PngLayout.RgbFromRgbx,
        (SKColorType.Rgba8888, SKAlphaType.Unpremul) => PngLayout.Rgba,
        _ => null,
    };

    private static void WritePng(SKBitmap bitmap, PngLayout layout, Stream output, int compression) =>
        PngWriter.Write(output, bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height, bitmap.RowBytes, layout, PngWriter.Settings(compression));

    /// <summary>
    /// How <see cref="JpegWriter"/> writes a bitmap, byte for byte as SkiaSharp's encoder wrote it
    /// before: gray as gray, RGBA (opaque or unpremultiplied) as YCbCr with its alpha ignored, as
    /// SkiaSharp ignores it; with no colour space, as <see cref="PictureRows"/> makes them (given
    /// one, even sRGB, SkiaSharp adds its ICC profile). Null for any other kind, which SkiaSharp's
    /// encoder keeps.
    /// </summary>
    internal static JpegLayout? JpegLayoutOf(SKBitmap bitmap) => (bitmap.ColorType, bitmap.AlphaType, bitmap.ColorSpace) switch
    {
        (SKColorType.Gray8, SKAlphaType.Opaque, null) => JpegLayout.Gray,
        (SKColorType.Rgba8888, SKAlphaType.Opaque or SKAlphaType.Unpremul, null) => JpegLayout.Rgbx,
        _ => null,
    };

    /// <summary>A quality outside 1–100 is taken as the nearer end, as libjpeg takes it under SkiaSharp (which passed any quality on).</summary>
    private static void WriteJpeg(SKBitmap bitmap, JpegLayout layout, Stream output, int quality) =>
        JpegWriter.Write(output, bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height, bitmap.RowBytes, layout, Math.Clamp(quality, 1, 100));

    /// <summary>Why a picture cannot be a JPEG: libjpeg's limit, which SkiaSharp's encoder kept too (it wrote nothing).</summary>
    private static string JpegTooLarge(SKBitmap bitmap) =>
        $"a JPEG holds at most {JpegTables.MaxDimension}×{JpegTables.MaxDimension} pixels, and the picture is {bitmap.Width}×{bitmap.Height}; write it as PNG";

    /// <summary>Encodes a (C, H, W) or (H, W) tensor in [0, 1] as PNG, JPEG or WebP bytes.</summary>
    /// <param name="image">the picture</param>
    /// <param name="format">PNG, JPEG or WebP</param>
    /// <param name="quality">JPEG and WebP quality, 1 to 100</param>
    /// <param name="compression">PNG compression, 0 to 9 (see <see cref="Save"/>)</param>
    public static byte[] Encode(Tensor image, SKEncodedImageFormat format, int quality = 95, int compression = DefaultPngCompression)
    {
        CheckCompression(compression);
        using var bitmap = PixelConversion.ToBitmap(image);
        if (format == SKEncodedImageFormat.Png && PngLayoutOf(bitmap) is { } layout)
        {
            using var png = new MemoryStream();
            WritePng(bitmap, layout, png, compression);
            return png.ToArray();
        }

        if (format == SKEncodedImageFormat.Jpeg && JpegLayoutOf(bitmap) is { } jpegLayout)
        {
            if (!JpegWriter.Fits(bitmap.Width, bitmap.Height))
            {
                throw new InvalidOperationException($"cannot encode the image: {JpegTooLarge(bitmap)}");
            }

            if (JpegWriter.PaysHere)
            {
                using var jpeg = new MemoryStream();
                WriteJpeg(bitmap, jpegLayout, jpeg, quality);
                return jpeg.ToArray();
            }
        }

        using var output = new SKDynamicMemoryWStream();
        if (!EncodeWithSkia(bitmap, output, format, quality, compression))
        {
            throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width}×{bitmap.Height} {bitmap.ColorType} image as {format}");
        }

        using var data = output.DetachAsData();
        return data.ToArray();
    }

    private static void CheckCompression(int compression)
    {
        if (compression is < 0 or > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(compression), compression,
                "the PNG compression runs from 0 to 9: 0 stores the pixels uncompressed, 9 makes the smallest file");
        }
    }

    /// <summary>The encoder for a file name, by its extension.</summary>
    public static SKEncodedImageFormat FormatFor(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".png" => SKEncodedImageFormat.Png,
            ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
            ".webp" => SKEncodedImageFormat.Webp,
            _ => throw new ArgumentException(
                $"cannot write '{path}': images are written as .png, .jpg/.jpeg or .webp, chosen by the extension", nameof(path)),
        };
    }
}
