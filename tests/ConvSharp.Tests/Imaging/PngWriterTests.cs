using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ConvSharp.Imaging;
using ConvSharp.Imaging.Pictures;
using ConvSharp.Tests.Support;
using SkiaSharp;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The PNG writer: files SkiaSharp's decoder reads back to exactly the pixels written, at every
/// compression level; their bytes chunk by chunk against the specification; the same pictures as
/// SkiaSharp's encoder made before; a full disk; the compression's range.
/// </summary>
public class PngWriterTests
{
    private static readonly int[] Widths = [1, 2, 3, 15, 16, 17, 31, 32, 33, 257];

    private static readonly int[] Heights = [1, 2, 7];

    public static TheoryData<int, int> LayoutsAndLevels()
    {
        var data = new TheoryData<int, int>();
        foreach (var layout in Enum.GetValues<PngLayout>())
        {
            for (var level = 0; level <= 9; level++)
            {
                data.Add((int)layout, level);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LayoutsAndLevels))]
    public void Skia_decodes_exactly_the_pixels_written(int kind, int compression)
    {
        var layout = (PngLayout)kind;
        var rng = new Random((int)layout * 100 + compression);
        foreach (var width in Widths)
        {
            foreach (var height in Heights)
            {
                foreach (var constant in new[] { false, true })
                {
                    using var bitmap = Bitmap(layout, width, height, rng, constant);
                    var png = Write(bitmap, layout, PngWriter.Settings(compression));
                    var decoded = Decode(png, out var colourType);
                    Assert.Equal(layout == PngLayout.Gray ? SKColorType.Gray8 : SKColorType.Rgba8888, colourType);
                    var expected = Expected(bitmap, layout);
                    Assert.True(expected.AsSpan().SequenceEqual(decoded), $"{layout} {width}×{height}, compression {compression}, {(constant ? "constant" : "random")}: the decoded pixels differ");
                }
            }
        }
    }

    [Theory]
    [InlineData((int)PngLayout.Gray)]
    [InlineData((int)PngLayout.RgbFromRgbx)]
    [InlineData((int)PngLayout.Rgba)]
    public void Rows_apart_by_more_than_their_width_are_read_at_their_stride(int kind)
    {
        var layout = (PngLayout)kind;
        var bpp = layout == PngLayout.Gray ? 1 : 4;
        var (width, height) = (13, 5);
        var info = new SKImageInfo(width, height, layout == PngLayout.Gray ? SKColorType.Gray8 : SKColorType.Rgba8888, layout == PngLayout.Rgba ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        using var padded = new SKBitmap();
        Assert.True(padded.TryAllocPixels(info, (width * bpp) + 24));
        new Random(5).NextBytes(padded.GetPixelSpan());
        var decoded = Decode(Write(padded, layout, PngWriter.Settings(6)), out _);
        Assert.Equal(Expected(padded, layout), decoded);
    }

    public static TheoryData<int, int> LayoutsAndSomeLevels()
    {
        var data = new TheoryData<int, int>();
        foreach (var layout in Enum.GetValues<PngLayout>())
        {
            foreach (var level in new[] { 0, 1, ImageFile.DefaultPngCompression, 6, 9 })
            {
                data.Add((int)layout, level);
            }
        }

        return data;
    }

    /// <summary>
    /// The file itself, read with this test's own chunk parser, CRC-32 and inverse filters:
    /// signature, IHDR, IDAT chunks of at most 64 KiB that inflate to filtered rows, IEND last.
    /// </summary>
    [Theory]
    [MemberData(nameof(LayoutsAndSomeLevels))]
    public void The_file_is_signature_IHDR_IDAT_IEND_with_every_CRC_right(int kind, int compression)
    {
        var layout = (PngLayout)kind;
        var rng = new Random(11);
        // A photo-sized picture in several IDAT chunks, and small ones of one chunk.
        foreach (var (width, height) in new[] { (317, 263), (33, 7), (1, 1) })
        {
            using var bitmap = Bitmap(layout, width, height, rng, constant: false);
            if (width > 100)
            {
                Smooth(bitmap); // a real picture's rows, so that filters other than None win
            }

            var png = Write(bitmap, layout, PngWriter.Settings(compression));
            Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
            var chunks = Chunks(png);
            Assert.Equal("IHDR", chunks[0].Type);
            Assert.Equal("IEND", chunks[^1].Type);
            Assert.Empty(chunks[^1].Data);
            Assert.All(chunks[1..^1], c => Assert.Equal("IDAT", c.Type));
            Assert.All(chunks[1..^1], c => Assert.InRange(c.Data.Length, 1, 65536));
            Assert.All(chunks[1..^2], c => Assert.Equal(65536, c.Data.Length)); // all full but the last
            Assert.All(chunks, c => Assert.True(c.Crc == Crc32(Encoding.ASCII.GetBytes(c.Type), c.Data), $"{c.Type}: CRC {c.Crc:X8} stored"));

            var header = chunks[0].Data;
            Assert.Equal(13, header.Length);
            Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(header));
            Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)));
            var (channels, colourType) = layout switch { PngLayout.Gray => (1, 0), PngLayout.RgbFromRgbx => (3, 2), _ => (4, 6) };
            Assert.Equal([8, (byte)colourType, 0, 0, 0], header[8..]); // depth 8, colour type, deflate, filter method 0, no interlace

            var inflated = Inflate([.. chunks[1..^1].SelectMany(c => c.Data)]);
            var line = (width * channels) + 1;
            Assert.Equal(height * line, inflated.Length);
            var filters = Enumerable.Range(0, height).Select(y => inflated[y * line]).ToArray();
            Assert.All(filters, f => Assert.InRange(f, (byte)0, (byte)4));
            Assert.Equal(Expected(bitmap, layout, alphaOfRgb: false), Unfilter(inflated, width * channels, height, channels));
            if (compression == 0)
            {
                Assert.All(filters, f => Assert.Equal(0, f)); // stored, unfiltered: the pixels as they are
            }
            else if (width > 100)
            {
                Assert.True(filters.Distinct().Count() > 1, $"{layout}, compression {compression}: every row used filter {filters[0]}");
            }
        }
    }

    /// <summary>The streaming promise: memory for a few rows and a chunk, not for the picture or its file.</summary>
    [Fact]
    public void A_large_picture_streams_through_in_chunks_without_a_copy_of_itself()
    {
        using var bitmap = Bitmap(PngLayout.RgbFromRgbx, 2000, 1500, new Random(2), constant: false);
        var output = new CountingStream();
        PngWriter.Write(output, bitmap.GetPixelSpan(), 2000, 1500, bitmap.RowBytes, PngLayout.RgbFromRgbx, PngWriter.Settings(1)); // warm up
        output = new CountingStream();
        var before = GC.GetAllocatedBytesForCurrentThread();
        PngWriter.Write(output, bitmap.GetPixelSpan(), 2000, 1500, bitmap.RowBytes, PngLayout.RgbFromRgbx, PngWriter.Settings(ImageFile.DefaultPngCompression));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(output.Total > 9_000_000, $"{output.Total} bytes written for 9 MB of random pixels"); // random bytes do not compress
        Assert.InRange(output.Largest, 1, 65536 + 12);
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated to write {output.Total}");
    }

    /// <summary>A bitmap of each kind ConvSharp draws, encoded as SkiaSharp encoded it before and as it is now.</summary>
    public static TheoryData<string> Pictures() => ["sobel-x abs, gray", "sobel-x abs, colour", "gaussian:2, colour", "sobel-x signed, colour", "rgba", "grid", "kernel"];

    [Theory]
    [MemberData(nameof(Pictures))]
    public void Pictures_decode_to_the_same_pixels_as_SkiaSharps_encoding_of_them(string name)
    {
        var picture = Picture(name);
        using var bitmap = PixelConversion.ToBitmap(picture);
        using var skia = bitmap.Encode(SKEncodedImageFormat.Png, 100); // what ImageFile wrote before
        var before = Decode(skia.ToArray(), out var skiaType);
        foreach (var compression in new[] { 0, ImageFile.DefaultPngCompression, 9 })
        {
            var png = ImageFile.Encode(picture, SKEncodedImageFormat.Png, compression: compression);
            Assert.Equal(skia.ToArray()[24..29], png[24..29]); // the same IHDR: depth, colour type, methods
            var after = Decode(png, out var type);
            Assert.Equal(skiaType, type);
            Assert.True(after.AsSpan().SequenceEqual(before), $"{name}, compression {compression}: the pixels differ from SkiaSharp's encoding");
        }
    }

    /// <summary>Bitmaps of other kinds than ConvSharp draws (premultiplied, BGRA) keep SkiaSharp's encoder, and their pixels.</summary>
    [Theory]
    [InlineData(SKColorType.Rgba8888, SKAlphaType.Premul)]
    [InlineData(SKColorType.Bgra8888, SKAlphaType.Opaque)]
    [InlineData(SKColorType.Bgra8888, SKAlphaType.Unpremul)]
    public void Other_bitmap_kinds_keep_SkiaSharps_encoder(SKColorType colorType, SKAlphaType alphaType)
    {
        using var folder = new TempFolder();
        using var bitmap = new SKBitmap(new SKImageInfo(9, 5, colorType, alphaType));
        Assert.Null(ImageFile.PngLayoutOf(bitmap));
        bitmap.Erase(new SKColor(200, 30, 90)); // opaque, so every kind keeps the colour exactly
        var path = folder.File("other.png");
        ImageFile.WriteEncoded(bitmap, SKEncodedImageFormat.Png, path, 95, ImageFile.DefaultPngCompression);
        var pixels = Decode(File.ReadAllBytes(path), out var type);
        Assert.Equal(SKColorType.Rgba8888, type);
        Assert.All(pixels.Chunk(4), p => Assert.Equal([200, 30, 90, 255], p));
    }

    [Fact]
    public void Higher_levels_make_smaller_files_of_a_photo()
    {
        var photo = ImageFile.Load(Photos.Data("coffee.png"));
        var files = Enumerable.Range(0, 10).Select(c => ImageFile.Encode(photo, SKEncodedImageFormat.Png, compression: c)).ToArray();
        var sizes = string.Join(", ", files.Select(f => f.Length));
        Assert.True(files[0].Length > (3 * 400 * 600) + 400, $"level 0 stores the rows and their filter bytes: {sizes}");
        Assert.True(files[1].Length < files[0].Length * 0.8, sizes);
        Assert.Equal(files[1], files[2]); // 1 to 3 are one setting
        Assert.Equal(files[1], files[3]);
        for (var level = 5; level <= 9; level++)
        {
            Assert.True(files[level].Length <= files[level - 1].Length, $"level {level} is larger than {level - 1}: {sizes}");
        }

        Assert.True(files[9].Length == files.Min(f => f.Length), $"level 9 is not the smallest: {sizes}");
    }

    [Theory]
    [InlineData(".png", 0)]
    [InlineData(".png", 100)]
    [InlineData(".png", 20_000)]
    [InlineData(".jpg", 1000)]
    [InlineData(".webp", 1000)]
    public void A_full_disk_is_an_IOException_naming_the_file_and_leaves_nothing(string extension, int capacity)
    {
        using var folder = new TempFolder();
        var path = folder.File("picture" + extension);
        using var bitmap = PixelConversion.ToBitmap(ImageFile.Load(Photos.Data("coffee.png")));
        var encoded = false;
        var e = Assert.Throws<IOException>(() => ImageFile.WriteEncoded(
            bitmap, ImageFile.FormatFor(path), path, 90, ImageFile.DefaultPngCompression, () => encoded = true, through: file => new FullDiskStream(file, capacity)));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", e.Message, StringComparison.Ordinal);
        Assert.False(encoded);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void The_encoded_callback_comes_before_the_file_is_in_place()
    {
        using var folder = new TempFolder();
        var path = folder.File("picture.png");
        using var picture = new PictureRows(3, 4, 5);
        picture.Write(0, 4, [.. Enumerable.Range(0, 60).Select(i => i / 60f)]);
        bool? existed = null;
        ImageFile.SavePicture(picture, path, onEncoded: () => existed = File.Exists(path));
        Assert.False(existed);
        Assert.Equal([3, 4, 5], ImageFile.Load(path).Shape);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void A_compression_outside_0_to_9_is_refused_by_name(int compression)
    {
        using var folder = new TempFolder();
        var image = Tensor.Zeros(1, 4, 4);
        using var picture = new PictureRows(1, 4, 4);
        foreach (var call in new Action[]
        {
            () => ImageFile.Save(image, folder.File("a.png"), compression: compression),
            () => ImageFile.Save(image, folder.File("a.jpg"), compression: compression),
            () => ImageFile.Encode(image, SKEncodedImageFormat.Png, compression: compression),
            () => ImageFile.SavePicture(picture, folder.File("b.png"), compression: compression),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Equal("compression", e.ParamName);
            Assert.Contains("from 0 to 9", e.Message, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
        Assert.InRange(ImageFile.DefaultPngCompression, 0, 9);
    }

    /// <summary>A bitmap as <see cref="PictureRows"/> makes them, random or of one colour; RGB's fourth byte is random too, to show it is dropped.</summary>
    private static SKBitmap Bitmap(PngLayout layout, int width, int height, Random rng, bool constant)
    {
        var info = layout == PngLayout.Gray
            ? new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(width, height, SKColorType.Rgba8888, layout == PngLayout.Rgba ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var bitmap = new SKBitmap(info);
        var pixels = bitmap.GetPixelSpan();
        if (constant)
        {
            var bpp = layout == PngLayout.Gray ? 1 : 4;
            var colour = new byte[bpp];
            rng.NextBytes(colour);
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = colour[i % bpp];
            }
        }
        else
        {
            rng.NextBytes(pixels);
        }

        return bitmap;
    }

    /// <summary>Blurs a random bitmap's bytes along and across rows, as a photo's neighbours resemble each other.</summary>
    private static void Smooth(SKBitmap bitmap)
    {
        var pixels = bitmap.GetPixelSpan();
        var (stride, bpp) = (bitmap.RowBytes, bitmap.BytesPerPixel);
        for (var i = bpp; i < pixels.Length; i++)
        {
            var up = i >= stride ? pixels[i - stride] : pixels[i - bpp];
            pixels[i] = (byte)((pixels[i - bpp] + up + (pixels[i] / 16) + 1) / 2 - 4);
        }
    }

    private static byte[] Write(SKBitmap bitmap, PngLayout layout, PngSettings settings)
    {
        using var output = new MemoryStream();
        PngWriter.Write(output, bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height, bitmap.RowBytes, layout, settings);
        return output.ToArray();
    }

    /// <summary>The pixels a decoder should give back: gray bytes, or RGBA with alpha 255 for RGB (the file's RGB alone when <paramref name="alphaOfRgb"/> is false).</summary>
    private static byte[] Expected(SKBitmap bitmap, PngLayout layout, bool alphaOfRgb = true)
    {
        var bpp = layout == PngLayout.Gray ? 1 : 4;
        var keep = layout == PngLayout.RgbFromRgbx && !alphaOfRgb ? 3 : bpp;
        var pixels = bitmap.GetPixelSpan();
        var expected = new List<byte>();
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                for (var k = 0; k < keep; k++)
                {
                    expected.Add(layout == PngLayout.RgbFromRgbx && k == 3 ? (byte)255 : pixels[(y * bitmap.RowBytes) + (x * bpp) + k]);
                }
            }
        }

        return [.. expected];
    }

    /// <summary>SkiaSharp's decoding: gray as Gray8, anything else as unpremultiplied RGBA, rows packed.</summary>
    internal static byte[] Decode(byte[] png, out SKColorType colourType)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(png)) ?? throw new InvalidDataException("SkiaSharp cannot read the file");
        colourType = codec.Info.ColorType == SKColorType.Gray8 ? SKColorType.Gray8 : SKColorType.Rgba8888;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, colourType, colourType == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, bitmap.GetPixels()));
        return bitmap.GetPixelSpan().ToArray();
    }

    private sealed record Chunk(string Type, byte[] Data, uint Crc);

    private static List<Chunk> Chunks(byte[] png)
    {
        var chunks = new List<Chunk>();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            chunks.Add(new Chunk(type, png[(at + 8)..(at + 8 + length)], BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length))));
            at += 12 + length;
            Assert.True(at <= png.Length, $"chunk {type} runs past the end");
        }

        return chunks;
    }

    /// <summary>CRC-32 as the PNG specification's annex D computes it, bit by bit.</summary>
    private static uint Crc32(byte[] type, byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in type.Concat(data))
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] Inflate(byte[] zlib)
    {
        using var input = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The specification's reconstruction (section 9.2), written here independently of the encoder's filters.</summary>
    private static byte[] Unfilter(byte[] inflated, int rowBytes, int height, int bpp)
    {
        var raw = new byte[rowBytes * height];
        for (var y = 0; y < height; y++)
        {
            var filter = inflated[y * (rowBytes + 1)];
            for (var i = 0; i < rowBytes; i++)
            {
                int x = inflated[(y * (rowBytes + 1)) + 1 + i];
                int a = i >= bpp ? raw[(y * rowBytes) + i - bpp] : 0;
                int b = y > 0 ? raw[((y - 1) * rowBytes) + i] : 0;
                int c = i >= bpp && y > 0 ? raw[((y - 1) * rowBytes) + i - bpp] : 0;
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                var predicted = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
                };
                raw[(y * rowBytes) + i] = (byte)(x + predicted);
            }
        }

        return raw;
    }

    /// <summary>What `convsharp apply` draws, through the library's own calls: filter, map, picture.</summary>
    private static Tensor Picture(string name)
    {
        Tensor Filter(Tensor photo, Tensor kernel) =>
            F.Conv2d(photo.Unsqueeze(1), kernel.Reshape(1, 1, kernel.Shape[0], kernel.Shape[1]), padding: kernel.Shape[0] / 2, paddingMode: PaddingMode.Reflect).Squeeze(1);

        var camera = ImageFile.Load(Photos.Data("camera.png"))[.., ..160, ..200];
        var coffee = ImageFile.Load(Photos.Data("coffee.png"))[.., ..150, ..210];
        switch (name)
        {
            case "sobel-x abs, gray":
                return Display.Map(Filter(camera, Kernels.SobelX()), DisplayMap.Abs);
            case "sobel-x abs, colour":
                return Display.Map(Filter(coffee, Kernels.SobelX()), DisplayMap.Abs);
            case "gaussian:2, colour":
                return Display.Map(Filter(coffee, Kernels.Gaussian(2)), DisplayMap.Clamp);
            case "sobel-x signed, colour":
                return Display.Map(Filter(coffee, Kernels.SobelX()), DisplayMap.Signed);
            case "rgba":
                var rgba = new float[4 * 37 * 53];
                var rng = new Random(9);
                for (var i = 0; i < rgba.Length; i++)
                {
                    // Alpha 0, 255 and between; colour under alpha 0 too.
                    rgba[i] = i >= 3 * 37 * 53 && i % 5 == 0 ? (i % 2) : rng.Next(256) / 255f;
                }

                return Tensor.FromArray(rgba, 4, 37, 53);
            case "grid":
                return ImageGrid.Render([new GridTile("camera", camera), new GridTile("coffee", coffee)], cellSize: 120, title: "two photos");
            default:
                return KernelPicture.Render(Kernels.SobelX(), "sobel-x");
        }
    }

    /// <summary>Counts the bytes written and the largest single write, keeping none.</summary>
    private sealed class CountingStream : Stream
    {
        public long Total { get; private set; }

        public int Largest { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Total;

        public override long Position { get => Total; set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Total += buffer.Length;
            Largest = Math.Max(Largest, buffer.Length);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
