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
        using var codec = OpenCodec(path);
        if (beforeDecode is not null)
        {
            var (width, height) = UprightSize(codec);
            beforeDecode(width, height);
        }

        return ImageRaster.Decode(codec, path, options ?? ImageLoadOptions.Default);
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
        using var codec = OpenCodec(path);
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
        using var codec = OpenCodec(new SKMemoryStream(buffer.ToArray()), buffer.Length, name);
        using var raster = ImageRaster.Decode(codec, name, options ?? ImageLoadOptions.Default);
        return raster.ToTensor();
    }

    private static SKCodec OpenCodec(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        // A pipe or a device is refused before it is opened (opening a pipe waits for a writer).
        var length = InputFile.Length(path);

        using (File.OpenRead(path))
        {
            // .NET's own open first: an unreadable file gets its clear message, not Skia's "not valid".
        }

        return OpenCodec(new SKFileStream(path), length, path);
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
    /// Writes a (C, H, W) tensor (C = 1, 3 or 4) or an (H, W) tensor as an image, by the extension
    /// of <paramref name="path"/>: .png, .jpg/.jpeg or .webp. Values are clamped to [0, 1] and
    /// rounded to 8 bits; map filter responses first with <see cref="Display.Map"/>. The file is
    /// written whole or not at all.
    /// </summary>
    /// <param name="image">the picture</param>
    /// <param name="path">where; the folder must exist</param>
    /// <param name="quality">JPEG and WebP quality, 1 to 100</param>
    public static void Save(Tensor image, string path, int quality = 95)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        var format = FormatFor(path);
        using var bitmap = PixelConversion.ToBitmap(image);
        WriteEncoded(bitmap, format, path, quality);
    }

    /// <summary>Writes a picture filled a band at a time (<see cref="PictureRows"/>), by the extension of <paramref name="path"/>.</summary>
    /// <param name="picture">the picture</param>
    /// <param name="path">where</param>
    /// <param name="quality">JPEG and WebP quality</param>
    /// <param name="onEncoded">called once the picture is encoded, before the file is flushed and put in place (for timing)</param>
    internal static void SavePicture(PictureRows picture, string path, int quality = 95, Action? onEncoded = null) =>
        WriteEncoded(picture.Bitmap, FormatFor(path), path, quality, onEncoded);

    /// <summary>
    /// Encodes straight into the temporary file (no second copy of the encoded image in memory),
    /// through a stream whose callbacks never throw into native code (<see cref="GuardedWStream"/>):
    /// a full disk is an <see cref="IOException"/> here, not the end of the process.
    /// </summary>
    private static void WriteEncoded(SKBitmap bitmap, SKEncodedImageFormat format, string path, int quality, Action? onEncoded = null)
    {
        using var file = AtomicFile.Create(path);
        bool encoded;
        Exception? failure;
        using (var output = new GuardedWStream(file.Stream))
        {
            encoded = bitmap.Encode(output, format, quality);
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

        onEncoded?.Invoke();
        file.Commit();
    }

    /// <summary>Encodes a (C, H, W) or (H, W) tensor in [0, 1] as PNG, JPEG or WebP bytes.</summary>
    public static byte[] Encode(Tensor image, SKEncodedImageFormat format, int quality = 95)
    {
        using var bitmap = PixelConversion.ToBitmap(image);
        using var data = bitmap.Encode(format, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width}×{bitmap.Height} {bitmap.ColorType} image as {format}");
        return data.ToArray();
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
