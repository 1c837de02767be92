using ConvSharp.Imaging;
using ConvSharp.Imaging.Jpeg;
using ConvSharp.Tests.Support;
using SkiaSharp;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// ConvSharp's JPEG writer against the oracle it must match: SkiaSharp's encoder
/// (<c>SKBitmap.Encode(…, Jpeg, q)</c>), whose files ConvSharp wrote before. Every file must be
/// the same bytes, for the three kinds of bitmap <see cref="PictureRows"/> makes (gray; RGBA
/// opaque; RGBA unpremultiplied, whose alpha SkiaSharp ignores), at qualities across 1–100,
/// at sizes around the 8×8 block and the 16×16 MCU (where libjpeg pads and adds dummy blocks),
/// on flat, noisy, extreme and real pictures. The small pictures are in the Kernels category,
/// so CI runs them again on the 4-lane and scalar paths and on ARM64.
/// </summary>
public class JpegWriterTests
{
    internal static readonly int[] Qualities = [1, 2, 10, 25, 49, 50, 51, 75, 90, 95, 99, 100];

    /// <summary>
    /// Around the block and the MCU; 26×22 and 8×8 have an even height short of a whole MCU, where
    /// libjpeg repeats the last downsampled chroma row rather than the last pixel row.
    /// </summary>
    private static readonly (int Width, int Height)[] Sizes = [(1, 1), (1, 17), (17, 1), (7, 9), (8, 8), (15, 17), (16, 16), (17, 17), (26, 22), (33, 65)];

    /// <summary>The bitmaps of <see cref="PictureRows"/>: 1 channel (gray), 3 (RGBA, opaque), 4 (RGBA, unpremultiplied).</summary>
    public static TheoryData<int, string> KindsAndPatterns()
    {
        var data = new TheoryData<int, string>();
        foreach (var channels in new[] { 1, 3, 4 })
        {
            foreach (var pattern in new[] { "constant", "noise", "black", "white", "checkerboard", "ramp" })
            {
                data.Add(channels, pattern);
            }
        }

        return data;
    }

    [Theory]
    [Trait("Category", "Kernels")]
    [MemberData(nameof(KindsAndPatterns))]
    public void Small_pictures_are_byte_for_byte_SkiaSharps_at_every_quality(int channels, string pattern)
    {
        var rng = new Random((channels * 100) + pattern.Length);
        foreach (var (width, height) in Sizes)
        {
            using var picture = Picture(channels, width, height, pattern, rng);
            foreach (var quality in Qualities)
            {
                AssertSameAsSkia(picture.Bitmap, quality, $"{channels} channel(s), {width}×{height}, {pattern}");
            }
        }
    }

    /// <summary>Photo crops of odd sizes (each edge case of blocks and MCUs at once), filtered and not, through the vector loops' long rows.</summary>
    [Theory]
    [Trait("Category", "Kernels")]
    [InlineData("camera.png", 1)]
    [InlineData("coffee.png", 3)]
    [InlineData("coffee.png", 4)]
    public void Photo_crops_are_byte_for_byte_SkiaSharps(string name, int channels)
    {
        var photo = Load(name, channels);
        foreach (var (width, height) in new[] { (278, 391), (121, 66), (40, 33) })
        {
            var crop = photo[.., 3..(3 + Math.Min(height, photo.Shape[1] - 3)), 5..(5 + width)];
            foreach (var picture in new[] { crop, SobelAbs(crop) })
            {
                using var bitmap = PixelConversion.ToBitmap(picture);
                foreach (var quality in new[] { 2, 50, 95 })
                {
                    AssertSameAsSkia(bitmap, quality, $"{name} as {channels} channel(s), {bitmap.Width}×{bitmap.Height}");
                }
            }
        }
    }

    public static TheoryData<string, int> PhotosAndKinds() => new()
    {
        { "camera.png", 1 },
        { "camera.png", 3 },
        { "brick.png", 1 },
        { "brick.png", 4 },
        { "coffee.png", 1 },
        { "coffee.png", 3 },
        { "coffee.png", 4 },
    };

    /// <summary>The whole photographs of data/images, as ConvSharp loads them, at every quality.</summary>
    [Theory]
    [MemberData(nameof(PhotosAndKinds))]
    public void Photos_are_byte_for_byte_SkiaSharps_at_every_quality(string name, int channels)
    {
        using var bitmap = PixelConversion.ToBitmap(Load(name, channels));
        foreach (var quality in Qualities)
        {
            AssertSameAsSkia(bitmap, quality, $"{name} as {channels} channel(s)");
        }
    }

    /// <summary>What <c>convsharp apply</c> writes: filter responses mapped to pictures, through <see cref="ImageFile.Encode"/>.</summary>
    [Theory]
    [InlineData("sobel-x abs, gray")]
    [InlineData("sobel-x abs, colour")]
    [InlineData("gaussian:2, colour")]
    [InlineData("sobel-x signed, colour")]
    public void Filtered_pictures_through_ImageFile_are_SkiaSharps_bytes(string name)
    {
        var camera = ImageFile.Load(Photos.Data("camera.png"))[.., 100..391, 50..328];
        var coffee = ImageFile.Load(Photos.Data("coffee.png"))[.., 20..311, 30..308];
        var picture = name switch
        {
            "sobel-x abs, gray" => SobelAbs(camera),
            "sobel-x abs, colour" => SobelAbs(coffee),
            "gaussian:2, colour" => Display.Map(Filter(coffee, Kernels.Gaussian(2)), DisplayMap.Clamp),
            _ => Display.Map(Filter(coffee, Kernels.SobelX()), DisplayMap.Signed),
        };
        using var bitmap = PixelConversion.ToBitmap(picture);
        foreach (var quality in new[] { 75, 90, 95 })
        {
            var expected = Skia(bitmap, quality);
            Assert.Equal(expected, ImageFile.Encode(picture, SKEncodedImageFormat.Jpeg, quality));
        }

        Assert.Equal(Skia(bitmap, 95), ImageFile.Encode(picture, SKEncodedImageFormat.Jpeg)); // the default quality
    }

    /// <summary>The identical bytes decode to identical pixels, of course; and those are the picture, near enough.</summary>
    [Fact]
    public void The_file_decodes_as_SkiaSharps_does_and_close_to_the_picture()
    {
        var photo = ImageFile.Load(Photos.Data("coffee.png"));
        using var bitmap = PixelConversion.ToBitmap(photo);
        var ours = Ours(bitmap, 90);
        Assert.Equal(Skia(bitmap, 90), ours);
        var decoded = PngWriterTests.Decode(ours, out var type);
        Assert.Equal(SKColorType.Rgba8888, type);
        Assert.Equal(PngWriterTests.Decode(Skia(bitmap, 90), out _), decoded);
        var original = bitmap.GetPixelSpan().ToArray();
        var meanError = decoded.Zip(original, (a, b) => Math.Abs(a - b)).Where((_, i) => i % 4 != 3).Average();
        Assert.InRange(meanError, 0.1, 3);
    }

    [Theory]
    [InlineData(".jpg")]
    [InlineData(".jpeg")]
    public void Save_and_SavePicture_write_SkiaSharps_bytes(string extension)
    {
        using var folder = new TempFolder();
        var picture = SobelAbs(ImageFile.Load(Photos.Data("coffee.png"))[.., ..97, ..131]);
        using var bitmap = PixelConversion.ToBitmap(picture);
        ImageFile.Save(picture, folder.File("saved" + extension), quality: 80);
        Assert.Equal(Skia(bitmap, 80), File.ReadAllBytes(folder.File("saved" + extension)));

        using var rows = new PictureRows(3, 97, 131);
        rows.Write(0, 97, picture.Contiguous().ToArray());
        ImageFile.SavePicture(rows, folder.File("rows" + extension));
        Assert.Equal(Skia(bitmap, 95), File.ReadAllBytes(folder.File("rows" + extension)));
    }

    /// <summary>SkiaSharp passed any quality on to libjpeg, which takes one below 1 as 1 and one above 100 as 100.</summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(-7, 1)]
    [InlineData(101, 100)]
    [InlineData(int.MaxValue, 100)]
    public void A_quality_outside_1_to_100_is_taken_as_SkiaSharp_took_it(int quality, int taken)
    {
        var picture = ImageFile.Load(Photos.Data("camera.png"))[.., ..40, ..50];
        using var bitmap = PixelConversion.ToBitmap(picture);
        Assert.Equal(Skia(bitmap, quality), Skia(bitmap, taken));
        Assert.Equal(Skia(bitmap, quality), ImageFile.Encode(picture, SKEncodedImageFormat.Jpeg, quality));
    }

    /// <summary>
    /// libjpeg refuses a side over 65500 pixels; SkiaSharp's encoder then wrote nothing and said
    /// no. ConvSharp says why, with the size, and leaves no file; 65500 itself is written as
    /// SkiaSharp wrote it.
    /// </summary>
    [Theory]
    [InlineData(1, 65501, 1)]
    [InlineData(1, 1, 65501)]
    [InlineData(3, 70000, 2)]
    [InlineData(4, 2, 65536)]
    public void A_side_over_65500_pixels_is_refused_with_the_size_and_no_file(int channels, int width, int height)
    {
        using var picture = new PictureRows(channels, height, width);
        using (var output = new SKDynamicMemoryWStream())
        {
            Assert.False(picture.Bitmap.Encode(output, SKEncodedImageFormat.Jpeg, 95)); // SkiaSharp's refusal
            Assert.Equal(0, output.BytesWritten);
        }

        using var folder = new TempFolder();
        var path = folder.File("wide.jpg");
        var e = Assert.Throws<IOException>(() => ImageFile.SavePicture(picture, path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains($"{width}×{height}", e.Message, StringComparison.Ordinal);
        Assert.Contains("65500", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));

        var tensor = Tensor.Zeros(channels, height, width);
        var encode = Assert.Throws<InvalidOperationException>(() => ImageFile.Encode(tensor, SKEncodedImageFormat.Jpeg));
        Assert.Contains($"{width}×{height}", encode.Message, StringComparison.Ordinal);
        var direct = Assert.Throws<ArgumentException>(() => Ours(picture.Bitmap, 95));
        Assert.Contains($"{width}×{height}", direct.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 65500, 1)]
    [InlineData(3, 1, 65500)]
    public void A_side_of_65500_pixels_is_written_as_SkiaSharp_wrote_it(int channels, int width, int height)
    {
        using var picture = Picture(channels, width, height, "noise", new Random(4));
        AssertSameAsSkia(picture.Bitmap, 90, $"{width}×{height}");
    }

    /// <summary>Bitmaps of other kinds than <see cref="PictureRows"/> makes keep SkiaSharp's encoder (which, given a colour space, adds its ICC profile).</summary>
    [Theory]
    [InlineData(SKColorType.Rgba8888, SKAlphaType.Premul, false)]
    [InlineData(SKColorType.Bgra8888, SKAlphaType.Opaque, false)]
    [InlineData(SKColorType.Gray8, SKAlphaType.Opaque, true)]
    [InlineData(SKColorType.Rgba8888, SKAlphaType.Opaque, true)]
    public void Other_bitmap_kinds_keep_SkiaSharps_encoder(SKColorType colorType, SKAlphaType alphaType, bool srgb)
    {
        using var folder = new TempFolder();
        using var bitmap = new SKBitmap(new SKImageInfo(21, 13, colorType, alphaType, srgb ? SKColorSpace.CreateSrgb() : null));
        Assert.Null(ImageFile.JpegLayoutOf(bitmap));
        new Random(8).NextBytes(bitmap.GetPixelSpan());
        var path = folder.File("other.jpg");
        ImageFile.WriteEncoded(bitmap, SKEncodedImageFormat.Jpeg, path, 90, ImageFile.DefaultPngCompression);
        Assert.Equal(Skia(bitmap, 90), File.ReadAllBytes(path));
    }

    [Fact]
    public void The_bitmaps_of_PictureRows_are_the_ones_written_here()
    {
        foreach (var (channels, layout) in new[] { (1, JpegLayout.Gray), (3, JpegLayout.Rgbx), (4, JpegLayout.Rgbx) })
        {
            using var picture = new PictureRows(channels, 2, 3);
            Assert.Equal(layout, ImageFile.JpegLayoutOf(picture.Bitmap));
        }
    }

    /// <summary>A stream that fails as a full disk does, before, inside and after the first buffer's worth: an IOException naming the file, and nothing left.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(70_000)]
    public void A_full_disk_is_an_IOException_naming_the_file_and_leaves_nothing(int capacity)
    {
        using var folder = new TempFolder();
        var path = folder.File("photo.jpg");
        using var bitmap = PixelConversion.ToBitmap(ImageFile.Load(Photos.Data("coffee.png")));
        var encoded = false;
        var e = Assert.Throws<IOException>(() => ImageFile.WriteEncoded(
            bitmap, SKEncodedImageFormat.Jpeg, path, 100, ImageFile.DefaultPngCompression, () => encoded = true, through: file => new FullDiskStream(file, capacity)));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", e.Message, StringComparison.Ordinal);
        Assert.False(encoded);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Rows_apart_by_more_than_their_width_are_read_at_their_stride()
    {
        foreach (var (colorType, alphaType, bpp) in new[] { (SKColorType.Gray8, SKAlphaType.Opaque, 1), (SKColorType.Rgba8888, SKAlphaType.Opaque, 4) })
        {
            var info = new SKImageInfo(19, 11, colorType, alphaType);
            using var padded = new SKBitmap();
            Assert.True(padded.TryAllocPixels(info, (19 * bpp) + 20));
            new Random(6).NextBytes(padded.GetPixelSpan());
            AssertSameAsSkia(padded, 85, $"{colorType} with rows {padded.RowBytes} bytes apart");
        }
    }

    internal static void AssertSameAsSkia(SKBitmap bitmap, int quality, string what)
    {
        var expected = Skia(bitmap, quality);
        var actual = Ours(bitmap, quality);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            var at = expected.AsSpan().CommonPrefixLength(actual);
            Assert.Fail($"{what}, quality {quality}: {actual.Length} bytes against SkiaSharp's {expected.Length}, first difference at byte {at} " +
                $"(ours {Hex(actual, at)}, SkiaSharp's {Hex(expected, at)})");
        }
    }

    private static string Hex(byte[] bytes, int at) => Convert.ToHexString(bytes, Math.Max(0, at - 2), Math.Min(8, bytes.Length - Math.Max(0, at - 2)));

    internal static byte[] Skia(SKBitmap bitmap, int quality)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality) ?? throw new InvalidOperationException("SkiaSharp did not encode the bitmap");
        return data.ToArray();
    }

    internal static byte[] Ours(SKBitmap bitmap, int quality)
    {
        using var output = new MemoryStream();
        var layout = ImageFile.JpegLayoutOf(bitmap) ?? throw new InvalidOperationException($"{bitmap.ColorType} is not written by JpegWriter");
        JpegWriter.Write(output, bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height, bitmap.RowBytes, layout, quality);
        return output.ToArray();
    }

    /// <summary>
    /// A picture as <see cref="PictureRows"/> holds it: one level throughout, noise, all 0, all 255,
    /// a checkerboard of 0 and 255 pixels, or a diagonal ramp; colour channels differ, and alpha
    /// (4 channels) is noise whatever the pattern, to show it is ignored.
    /// </summary>
    internal static PictureRows Picture(int channels, int width, int height, string pattern, Random rng)
    {
        var picture = new PictureRows(channels, height, width);
        var pixels = picture.Bitmap.GetPixelSpan();
        var (bpp, stride) = (picture.Bitmap.BytesPerPixel, picture.Bitmap.RowBytes);
        var level = (byte)rng.Next(256);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < bpp; c++)
                {
                    pixels[(y * stride) + (x * bpp) + c] = (byte)(c == 3 ? (channels == 4 ? rng.Next(256) : 255) : pattern switch
                    {
                        "constant" => level + (40 * c),
                        "black" => 0,
                        "white" => 255,
                        "checkerboard" => ((x + y + c) & 1) * 255,
                        "ramp" => (3 * x) + (5 * y) + (70 * c),
                        _ => rng.Next(256),
                    });
                }
            }
        }

        return picture;
    }

    /// <summary>A photo of data/images as 1 channel (gray), 3 (RGB) or 4 (RGB and an alpha that varies, so that it is plainly ignored).</summary>
    internal static Tensor Load(string name, int channels)
    {
        var photo = ImageFile.Load(Photos.Data(name), new ImageLoadOptions(channels == 1 ? ColorMode.Gray : ColorMode.Rgb));
        if (channels != 4)
        {
            return photo;
        }

        var (height, width) = (photo.Shape[1], photo.Shape[2]);
        var alpha = Enumerable.Range(0, height * width).Select(i => (i * 37 % 256) / 255f).ToArray();
        return Tensor.FromArray([.. photo.Contiguous().ToArray(), .. alpha], 4, height, width);
    }

    internal static Tensor SobelAbs(Tensor photo) => Display.Map(Filter(photo, Kernels.SobelX()), DisplayMap.Abs);

    private static Tensor Filter(Tensor photo, Tensor kernel) =>
        F.Conv2d(photo.Unsqueeze(1), kernel.Reshape(1, 1, kernel.Shape[0], kernel.Shape[1]), padding: kernel.Shape[0] / 2, paddingMode: PaddingMode.Reflect).Squeeze(1);
}
