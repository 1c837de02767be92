using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConvSharp.Imaging.Jpeg;
using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>
/// A decoded image kept at 8 bits per channel (1 byte a pixel for a gray file, 4 for colour)
/// and read as float rows on demand: the memory of a photograph, not of its float tensor (a
/// quarter of it, or a sixteenth for gray). Rows are stored in chunks of native memory, so a
/// caller that walks down the image can hand back the chunks it has passed
/// (<see cref="ReleaseRowsBefore"/>) and a very large image never needs its input and its
/// output in memory at once. Values, channels, transparency and EXIF orientation are exactly
/// those of <see cref="ImageFile.Load(string, ImageLoadOptions?)"/>, which is this class read whole.
/// </summary>
public sealed unsafe class ImageRaster : IDisposable
{
    private const int ChunkBytes = 4 << 20;

    private readonly nint[] _chunks;
    private readonly int _rowsPerChunk;
    private readonly int _bytesPerPixel;
    private readonly int _storedWidth;
    private readonly int _storedHeight;
    private readonly SKEncodedOrigin _origin;
    private readonly bool _gray;
    private readonly bool _keepAlpha;
    private readonly bool _composite;
    private readonly float _background;
    private readonly int _colorChannels;
    private readonly ColorMode _color;

    private ImageRaster(nint[] chunks, int rowsPerChunk, int bytesPerPixel, int storedWidth, int storedHeight, SKEncodedOrigin origin, ImageLoadOptions options)
    {
        (_chunks, _rowsPerChunk, _bytesPerPixel, _storedWidth, _storedHeight, _origin) = (chunks, rowsPerChunk, bytesPerPixel, storedWidth, storedHeight, origin);
        var (gray, opaque) = bytesPerPixel == 1 ? (true, true) : Survey();
        _gray = gray;
        _color = options.Color;
        _colorChannels = options.Color switch
        {
            ColorMode.Gray => 1,
            ColorMode.Rgb => 3,
            _ => gray ? 1 : 3,
        };
        _keepAlpha = options.Alpha == AlphaMode.Keep && !opaque;
        _composite = !opaque && options.Alpha is AlphaMode.OverWhite or AlphaMode.OverBlack;
        _background = options.Alpha == AlphaMode.OverWhite ? 1f : 0f;
        Channels = _colorChannels + (_keepAlpha ? 1 : 0);
        (Height, Width) = Transposes(origin) ? (storedWidth, storedHeight) : (storedHeight, storedWidth);
    }

    /// <summary>Channels of the float rows: 1 (gray), 3 (RGB), plus 1 when alpha is kept.</summary>
    public int Channels { get; }

    /// <summary>Rows, upright.</summary>
    public int Height { get; }

    /// <summary>Columns, upright.</summary>
    public int Width { get; }

    /// <summary>Bytes the pixels take while held (1 or 4 per pixel).</summary>
    public long StoredBytes => (long)_storedWidth * _storedHeight * _bytesPerPixel;

    /// <summary>
    /// Decodes an opened codec: gray files straight to 1 byte a pixel, others to RGBA; row by
    /// row where the format allows (so a damaged file is found as it is read), else whole.
    /// A JPEG whose bytes are given (<paramref name="encoded"/>, the file the codec reads) goes
    /// first to <see cref="JpegDecoder"/> where it is the faster (<see cref="JpegDecoder.PaysHere"/>),
    /// which gives the same bytes for the files it takes; any other it refuses, and SkiaSharp
    /// decodes it as before.
    /// </summary>
    internal static ImageRaster Decode(SKCodec codec, string name, ImageLoadOptions options, byte[]? encoded = null)
    {
        if (encoded is not null && JpegDecoder.PaysHere && codec.EncodedFormat == SKEncodedImageFormat.Jpeg && TryDecodeJpeg(codec, encoded, options) is { } fast)
        {
            return fast;
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var rowBytes = info.RowBytes;
        var rowsPerChunk = Math.Min(height, Math.Max(1, ChunkBytes / rowBytes));
        var chunks = new nint[(height + rowsPerChunk - 1) / rowsPerChunk];
        try
        {
            if (codec.StartScanlineDecode(info) == SKCodecResult.Success && codec.ScanlineOrder == SKCodecScanlineOrder.TopDown)
            {
                // Row by row into the chunks (JPEG, BMP): a damaged file is found as it is read.
                for (var i = 0; i < chunks.Length; i++)
                {
                    var rows = Math.Min(rowsPerChunk, height - (i * rowsPerChunk));
                    chunks[i] = (nint)NativeMemory.Alloc((nuint)rows * (nuint)rowBytes);
                    var decoded = codec.GetScanlines(chunks[i], rows, rowBytes);
                    if (decoded < rows)
                    {
                        throw new InvalidDataException($"{name}: the image data is damaged: the file is truncated (rows from {(i * rowsPerChunk) + decoded} on are missing)");
                    }
                }
            }
            else
            {
                // Whole (PNG, WebP, GIF decode only so), then split into chunks that can be handed back one by one.
                DecodeWhole(codec, info, name, chunks, rowsPerChunk);
            }

            return new ImageRaster(chunks, rowsPerChunk, gray ? 1 : 4, width, height, codec.EncodedOrigin, options);
        }
        catch
        {
            Free(chunks);
            throw;
        }
    }

    /// <summary>
    /// The file through <see cref="JpegDecoder"/> into the same chunks the scanline decoder would
    /// fill (allocated as rows reach them), or null where it refuses the file or reads its header
    /// otherwise than SkiaSharp did (size, gray or colour).
    /// </summary>
    private static ImageRaster? TryDecodeJpeg(SKCodec codec, byte[] encoded, ImageLoadOptions options)
    {
        var header = JpegDecoderHeader.TryRead(encoded);
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        var gray = codec.Info.ColorType == SKColorType.Gray8;
        if (header is null || header.Width != width || header.Height != height || (header.Components.Length == 1) != gray)
        {
            return null;
        }

        var rowBytes = gray ? width : 4 * width;
        var rowsPerChunk = Math.Min(height, Math.Max(1, ChunkBytes / rowBytes));
        var chunks = new nint[(height + rowsPerChunk - 1) / rowsPerChunk];
        Span<byte> Row(int y)
        {
            var (i, r) = Math.DivRem(y, rowsPerChunk);
            if (chunks[i] == 0)
            {
                var rows = Math.Min(rowsPerChunk, height - (i * rowsPerChunk));
                chunks[i] = (nint)NativeMemory.Alloc((nuint)rows * (nuint)rowBytes);
            }

            return new Span<byte>((byte*)chunks[i] + ((long)r * rowBytes), rowBytes);
        }

        try
        {
            if (JpegDecoder.TryDecode(encoded, header, Row))
            {
                return new ImageRaster(chunks, rowsPerChunk, gray ? 1 : 4, width, height, codec.EncodedOrigin, options);
            }
        }
        catch
        {
            Free(chunks);
            throw;
        }

        Free(chunks);
        return null;
    }

    private static void DecodeWhole(SKCodec codec, SKImageInfo info, string name, nint[] chunks, int rowsPerChunk)
    {
        var rowBytes = (long)info.RowBytes;

        // Zeroed pages the decoder is told are zero: a file that claims a huge image and holds
        // little is found truncated without the rest being filled, so it costs little memory.
        var whole = NativeMemory.AllocZeroed((nuint)(rowBytes * info.Height));
        try
        {
            var result = codec.GetPixels(info, (nint)whole, new SKCodecOptions(SKZeroInitialized.Yes));
            if (result != SKCodecResult.Success)
            {
                var what = result == SKCodecResult.IncompleteInput ? "the file is truncated" : $"the decoder says {result}";
                throw new InvalidDataException($"{name}: the image data is damaged: {what}");
            }

            if (chunks.Length == 1)
            {
                chunks[0] = (nint)whole;
                whole = null;
                return;
            }

            for (var i = 0; i < chunks.Length; i++)
            {
                var bytes = Math.Min(rowsPerChunk, info.Height - (i * rowsPerChunk)) * rowBytes;
                chunks[i] = (nint)NativeMemory.Alloc((nuint)bytes);
                Buffer.MemoryCopy((byte*)whole + (i * rowsPerChunk * rowBytes), (void*)chunks[i], bytes, bytes);
            }
        }
        finally
        {
            NativeMemory.Free(whole);
        }
    }

    /// <summary>Copies unpremultiplied RGBA bytes (a bitmap drawn in memory) into a raster.</summary>
    internal static ImageRaster FromRgba(ReadOnlySpan<byte> rgba, int width, int height, ImageLoadOptions options)
    {
        var chunks = new nint[1];
        chunks[0] = (nint)NativeMemory.Alloc((nuint)rgba.Length);
        rgba.CopyTo(new Span<byte>((void*)chunks[0], rgba.Length));
        return new ImageRaster(chunks, Math.Max(height, 1), 4, width, height, SKEncodedOrigin.TopLeft, options);
    }

    /// <summary>
    /// Rows [<paramref name="y0"/>, <paramref name="y0"/> + <paramref name="count"/>) as floats in
    /// [0, 1], channel-major: destination[(c·count + r)·Width + x].
    /// </summary>
    public void ReadRows(int y0, int count, Span<float> destination) => ReadRows(y0, count, destination, (long)count * Width);

    /// <summary>
    /// <see cref="ReadRows(int, int, Span{float})"/> into planes <paramref name="planeStride"/>
    /// floats apart: destination[c·planeStride + r·Width + x], so rows can go straight into their
    /// place in a larger (C, rows, W) buffer.
    /// </summary>
    internal void ReadRows(int y0, int count, Span<float> destination, long planeStride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y0);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(y0, Height - count);
        ArgumentOutOfRangeException.ThrowIfLessThan(planeStride, (long)count * Width);
        if (count > 0 && destination.Length < ((Channels - 1) * planeStride) + ((long)count * Width))
        {
            throw new ArgumentException($"{Channels} planes of {count}×{Width} floats, {planeStride} apart, are needed, but the destination holds {destination.Length}", nameof(destination));
        }

        for (var r = 0; r < count; r++)
        {
            ConvertRow(y0 + r, destination, r * (long)Width, planeStride);
        }
    }

    /// <summary>The whole image as a (C, H, W) tensor.</summary>
    public Tensor ToTensor()
    {
        var data = new float[(long)Channels * Height * Width];
        ReadRows(0, Height, data);
        return Tensor.FromArray(data, Channels, Height, Width);
    }

    /// <summary>
    /// Frees the rows above <paramref name="y"/>: the caller will not read them again. Only
    /// an upright image decoded row by row gives memory back; otherwise this does nothing.
    /// </summary>
    public void ReleaseRowsBefore(int y)
    {
        if (_origin != SKEncodedOrigin.TopLeft)
        {
            return;
        }

        for (var i = 0; i < _chunks.Length && ((i + 1L) * _rowsPerChunk) <= y; i++)
        {
            NativeMemory.Free((void*)_chunks[i]);
            _chunks[i] = 0;
        }
    }

    /// <summary>Frees the pixels.</summary>
    public void Dispose() => Free(_chunks);

    private static void Free(nint[] chunks)
    {
        for (var i = 0; i < chunks.Length; i++)
        {
            NativeMemory.Free((void*)chunks[i]); // Free(null) is allowed
            chunks[i] = 0;
        }
    }

    private static bool Transposes(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Whether every pixel is gray (R = G = B) and whether every one is opaque.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (bool Gray, bool Opaque) Survey()
    {
        bool gray = true, opaque = true;
        for (var sy = 0; sy < _storedHeight && (gray || opaque); sy++)
        {
            var row = new ReadOnlySpan<byte>(StoredPixel(sy, 0), _storedWidth * 4);
            for (var i = 0; i < row.Length; i += 4)
            {
                gray &= row[i] == row[i + 1] && row[i + 1] == row[i + 2];
                opaque &= row[i + 3] == 255;
            }
        }

        return (gray, opaque);
    }

    /// <summary>The stored pixel at (sy, sx); the chunk holding it must not have been released.</summary>
    /// <remarks>
    /// In bounds: callers pass 0 ≤ sy &lt; stored height and 0 ≤ sx &lt; stored width (ReadRows checks
    /// the displayed rows, and every orientation maps them into the stored image), so the chunk
    /// index exists and the offset lies inside that chunk's rows × width × bytes per pixel.
    /// </remarks>
    private byte* StoredPixel(int sy, int sx)
    {
        var chunk = _chunks[sy / _rowsPerChunk];
        if (chunk == 0)
        {
            throw new InvalidOperationException($"row {sy} of the image was released and cannot be read again");
        }

        return (byte*)chunk + ((((long)(sy % _rowsPerChunk) * _storedWidth) + sx) * _bytesPerPixel);
    }

    /// <summary>
    /// One upright row, every channel: the displayed pixel (y, x) is the stored pixel the EXIF
    /// orientation names (what photo viewers show), converted as
    /// NumPy and PyTorch would: v / 255, then composited or turned to luma as the options ask.
    /// </summary>
    private void ConvertRow(int y, Span<float> destination, long offset, long plane)
    {
        if (!Transposes(_origin))
        {
            // A displayed row is a stored row, read forwards or (mirrored) backwards.
            var mirrored = _origin is SKEncodedOrigin.TopRight or SKEncodedOrigin.BottomRight;
            var sy = _origin is SKEncodedOrigin.BottomRight or SKEncodedOrigin.BottomLeft ? _storedHeight - 1 - y : y;
            var first = StoredPixel(sy, mirrored ? _storedWidth - 1 : 0);
            if (!mirrored && CopiesLevels)
            {
                CopyLevels(first, destination, offset, plane);
                return;
            }

            var step = mirrored ? -_bytesPerPixel : _bytesPerPixel; // Width steps stay within the stored row
            for (var x = 0; x < Width; x++)
            {
                Convert(first + ((long)x * step), destination, offset + x, plane);
            }

            return;
        }

        // A displayed row is a stored column.
        for (var x = 0; x < Width; x++)
        {
            var (sy, sx) = _origin switch
            {
                SKEncodedOrigin.LeftTop => (x, y),
                SKEncodedOrigin.RightTop => (_storedHeight - 1 - x, y),
                SKEncodedOrigin.RightBottom => (_storedHeight - 1 - x, _storedWidth - 1 - y),
                _ => (x, _storedWidth - 1 - y), // LeftBottom
            };
            Convert(StoredPixel(sy, sx), destination, offset + x, plane);
        }
    }

    /// <summary>
    /// Whether each channel of the float rows is one stored byte / 255 (no compositing, no luma):
    /// every opaque upright photograph read in its own colours, the common case, which
    /// <see cref="CopyLevels"/> reads a channel at a time.
    /// </summary>
    private bool CopiesLevels => !_composite && (_colorChannels == 3 || (_gray && _color == ColorMode.Auto));

    /// <summary>
    /// One stored row, read forwards, into every channel: <see cref="Convert"/>'s values (the same
    /// v / 255 floats) a channel at a time, in vectors (<see cref="PixelLoops.Levels"/>), without
    /// its per-pixel choices.
    /// </summary>
    private void CopyLevels(byte* row, Span<float> destination, long offset, long plane)
    {
        var width = Width;
        var pixels = new ReadOnlySpan<byte>(row, width * _bytesPerPixel);
        for (var c = 0; c < _colorChannels; c++)
        {
            PixelLoops.Levels(pixels, _bytesPerPixel, _bytesPerPixel == 1 || _colorChannels == 1 ? 0 : c, destination.Slice((int)(offset + (c * plane)), width));
        }

        if (_keepAlpha)
        {
            PixelLoops.Levels(pixels, _bytesPerPixel, 3, destination.Slice((int)(offset + (_colorChannels * plane)), width));
        }
    }

    /// <summary>One pixel into every channel at flat position <paramref name="at"/> of the first plane.</summary>
    private void Convert(byte* p, Span<float> destination, long at, long plane)
    {
        float r, g, b, a;
        if (_bytesPerPixel == 1)
        {
            r = g = b = p[0] / 255f;
            a = 1f;
        }
        else
        {
            // Divided, not multiplied by 1/255: the same floats as NumPy's and PyTorch's x / 255.
            (r, g, b, a) = (p[0] / 255f, p[1] / 255f, p[2] / 255f, p[3] / 255f);
        }

        if (_composite)
        {
            (r, g, b) = (Over(r, a), Over(g, a), Over(b, a));
        }

        if (_colorChannels == 1)
        {
            destination[(int)at] = _gray && _color == ColorMode.Auto ? r : (0.299f * r) + (0.587f * g) + (0.114f * b);
        }
        else
        {
            destination[(int)at] = r;
            destination[(int)(plane + at)] = g;
            destination[(int)((2 * plane) + at)] = b;
        }

        if (_keepAlpha)
        {
            destination[(int)((_colorChannels * plane) + at)] = a;
        }
    }

    private float Over(float color, float alpha) => (color * alpha) + (_background * (1f - alpha));
}
