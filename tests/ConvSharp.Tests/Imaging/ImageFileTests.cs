using System.Text.Json;
using ConvSharp.Imaging;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Imaging;

/// <summary>Image files to tensors and back, against Pillow's decoding of the same files.</summary>
[Collection(GlobalGeneratorTests.Name)]
public class ImageFileTests
{
    private static readonly Lazy<JsonElement> Expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(Photos.Fixture("images", "expected.json"))).RootElement);

    private static float[] PillowValues(string name, out int[] shape)
    {
        var rows = Expected.Value.GetProperty(name);
        var (c, h, w) = (rows.GetArrayLength(), rows[0].GetArrayLength(), rows[0][0].GetArrayLength());
        shape = [c, h, w];
        return [.. rows.EnumerateArray().SelectMany(p => p.EnumerateArray()).SelectMany(r => r.EnumerateArray()).Select(v => v.GetInt32() / 255f)];
    }

    [Theory]
    [InlineData("rgb.bmp", 0.0)]
    [InlineData("rgb.webp", 0.0)]
    [InlineData("palette.gif", 0.0)]
    [InlineData("gray.png", 0.0)]
    [InlineData("gray.jpg", 2.0)]
    [InlineData("rotated.jpg", 3.0)]
    public void Every_format_decodes_as_Pillow_decodes_it(string name, double toleranceInLevels)
    {
        var expected = PillowValues(name, out var shape);
        var image = ImageFile.Load(Photos.Fixture("images", name));
        Assert.Equal(shape, image.Shape);
        var actual = image.ToArray();
        var worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        // Lossless formats match to the byte; JPEG decoders may round the inverse DCT differently.
        Assert.True(worst <= (toleranceInLevels + 0.01) / 255, $"{name}: largest difference {worst * 255:F2} levels");
    }

    [Fact]
    public void Exif_orientation_turns_the_photo_upright()
    {
        var image = ImageFile.Load(Photos.Fixture("images", "rotated.jpg"));
        // Stored 24 wide and 16 high, shown rotated by 90°: 16 wide and 24 high.
        Assert.Equal([3, 24, 16], image.Shape);
    }

    [Fact]
    public void Transparency_is_composited_over_white_by_default_and_can_be_kept()
    {
        var rgba = PillowValues("rgba.png", out _);
        var pixels = 16 * 24;
        var path = Photos.Fixture("images", "rgba.png");
        var overWhite = ImageFile.Load(path).ToArray();
        var overBlack = ImageFile.Load(path, new ImageLoadOptions(Alpha: AlphaMode.OverBlack)).ToArray();
        var kept = ImageFile.Load(path, new ImageLoadOptions(Alpha: AlphaMode.Keep));
        Assert.Equal([4, 16, 24], kept.Shape);
        Assert.Equal(rgba, kept.ToArray());
        for (var i = 0; i < 3 * pixels; i++)
        {
            var alpha = rgba[(3 * pixels) + (i % pixels)];
            Assert.Equal((rgba[i] * alpha) + (1 - alpha), overWhite[i], 1e-5f);
            Assert.Equal(rgba[i] * alpha, overBlack[i], 1e-5f);
        }
    }

    [Fact]
    public void Gray_photographs_load_with_one_channel_and_colour_with_three()
    {
        Assert.Equal([1, 512, 512], ImageFile.Load(Photos.Data("camera.png")).Shape);
        var coffee = ImageFile.Load(Photos.Data("coffee.png"));
        Assert.Equal([3, 400, 600], coffee.Shape);
        Assert.Equal([1, 400, 600], ImageFile.Load(Photos.Data("coffee.png"), new ImageLoadOptions(ColorMode.Gray)).Shape);
        Assert.Equal([3, 512, 512], ImageFile.Load(Photos.Data("camera.png"), new ImageLoadOptions(ColorMode.Rgb)).Shape);
        Assert.InRange(coffee.ToArray().Min(), 0f, 1f);
        Assert.InRange(coffee.ToArray().Max(), 0f, 1f);
    }

    [Theory]
    [InlineData(1, ".png")]
    [InlineData(3, ".png")]
    [InlineData(4, ".png")]
    [InlineData(1, ".webp")]
    [InlineData(3, ".webp")]
    public void Lossless_saves_round_trip_every_8_bit_value(int channels, string extension)
    {
        using var folder = new TempFolder();
        Rng.ManualSeed(7);
        var levels = (Tensor.Rand(channels, 9, 13) * 255).ToArray().Select(v => MathF.Round(v) / 255f).ToArray();
        if (channels == 4)
        {
            // Unpremultiplied alpha: colour is kept exactly only where alpha is not 0.
            for (var p = 3 * 9 * 13; p < levels.Length; p++)
            {
                levels[p] = Math.Max(levels[p], 1 / 255f);
            }
        }

        var image = Tensor.FromArray(levels, channels, 9, 13);
        var path = folder.File("image" + extension);
        ImageFile.Save(image, path, quality: 100);
        var options = new ImageLoadOptions(channels == 1 ? ColorMode.Gray : ColorMode.Rgb, AlphaMode.Keep);
        var back = ImageFile.Load(path, options);
        Assert.Equal(image.Shape, back.Shape);
        var worst = back.ToArray().Zip(levels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-6, $"largest difference {worst * 255} levels");
    }

    [Fact]
    public void Jpeg_saves_are_close()
    {
        using var folder = new TempFolder();
        var photo = ImageFile.Load(Photos.Data("coffee.png"));
        var path = folder.File("coffee.jpg");
        ImageFile.Save(photo, path, quality: 95);
        var back = ImageFile.Load(path);
        var meanError = back.ToArray().Zip(photo.ToArray(), (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 0.01, $"mean difference {meanError}");
    }

    [Fact]
    public void A_missing_file_is_not_found()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ImageFile.Load("/no/such/picture.png"));
        Assert.Contains("picture.png", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty", "empty")]
    [InlineData("text", "not an image")]
    [InlineData("tiny", "truncated inside its header")]
    [InlineData("truncated-png", "truncated")]
    [InlineData("truncated-jpeg", "truncated")]
    [InlineData("garbled-png", "damaged")]
    public void Broken_files_are_rejected_with_a_reason(string kind, string reason)
    {
        using var folder = new TempFolder();
        var path = folder.File(kind + ".png");
        var png = File.ReadAllBytes(Photos.Data("camera.png"));
        var jpeg = ImageFile.Encode(ImageFile.Load(Photos.Data("coffee.png")), SkiaSharp.SKEncodedImageFormat.Jpeg);
        byte[] bytes = kind switch
        {
            "empty" => [],
            "text" => "this is not a picture"u8.ToArray(),
            "tiny" => png[..4],
            "truncated-png" => png[..(png.Length / 2)],
            "truncated-jpeg" => jpeg[..(jpeg.Length / 2)],
            _ => [.. png[..200], .. Enumerable.Repeat((byte)0x5A, png.Length - 200)],
        };
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A BMP, mutated by the parser fuzz test, whose pixel offset sends the decoder far past the
    /// end of the file: read through a .NET stream wrapped for SkiaSharp, the absurd read threw
    /// inside native code and ended the process. Skia's own streams make it an error.
    /// </summary>
    [Fact]
    public void A_file_that_asks_for_an_absurd_read_is_an_error_not_a_crash()
    {
        var path = Photos.Fixture("hostile", "huge-skip.bmp");
        var fromFile = Record.Exception(() => ImageFile.Load(path));
        var fromStream = Record.Exception(() => ImageFile.Decode(File.OpenRead(path), "huge-skip.bmp"));
        Assert.True(fromFile is null or InvalidDataException, fromFile?.ToString());
        Assert.True(fromStream is null or InvalidDataException, fromStream?.ToString());
        using var folder = new TempFolder();
        var (code, _, error) = CliRunner.Run("apply", path, "-k", "edge", "--npy", "-o", folder.File("out.png"));
        Assert.True(code is 0 or 1, error);
    }

    /// <summary>
    /// A full disk while a picture is encoded: the write fails inside SkiaSharp's native encoder,
    /// where a .NET exception cannot pass (it ended the process). The guarded stream turns it into
    /// a failed write, the encoder stops, and the exception comes back on this side.
    /// </summary>
    [Fact]
    public void A_write_that_fails_inside_the_encoder_comes_back_as_an_exception()
    {
        using var bitmap = PixelConversion.ToBitmap(ImageFile.Load(Photos.Data("coffee.png")));
        foreach (var format in new[] { SkiaSharp.SKEncodedImageFormat.Png, SkiaSharp.SKEncodedImageFormat.Jpeg, SkiaSharp.SKEncodedImageFormat.Webp })
        {
            using var full = new FullDisk(capacity: 2000);
            using var output = new GuardedWStream(full);
            Assert.False(bitmap.Encode(output, format, 90));
            Assert.IsType<IOException>(output.Failure);
        }
    }

    /// <summary>A stream that takes <c>capacity</c> bytes, then fails as a full disk does.</summary>
    private sealed class FullDisk(int capacity) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Length + buffer.Length > capacity)
            {
                throw new IOException("No space left on device");
            }

            base.Write(buffer);
        }
    }

    [Fact]
    public void Saving_rejects_what_cannot_be_a_picture_and_leaves_no_file()
    {
        using var folder = new TempFolder();
        var withNaN = Tensor.FromArray([0.5f, float.NaN, 0.2f, 0.1f], 1, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => ImageFile.Save(withNaN, folder.File("nan.png")));
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 0, column 1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ImageFile.Save(Tensor.Zeros(2, 4, 4), folder.File("two.png")));
        Assert.Throws<ArgumentException>(() => ImageFile.Save(Tensor.Zeros(4, 4), folder.File("picture.bmp")));
        Assert.Throws<DirectoryNotFoundException>(() => ImageFile.Save(Tensor.Zeros(4, 4), folder.File("missing", "x.png")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Saving_over_an_existing_file_replaces_it_whole()
    {
        using var folder = new TempFolder();
        var path = folder.File("out.png");
        ImageFile.Save(Tensor.Zeros(1, 8, 8), path);
        ImageFile.Save(Tensor.Ones(1, 3, 5), path);
        Assert.Equal([1, 3, 5], ImageFile.Load(path).Shape);
        Assert.Single(Directory.EnumerateFiles(folder.Path));
    }

    [Fact]
    public void Values_outside_the_unit_range_are_clamped_when_saved()
    {
        using var folder = new TempFolder();
        var path = folder.File("clamped.png");
        ImageFile.Save(Tensor.FromArray([-3f, 0.5f, 7f], 1, 1, 3), path);
        Assert.Equal([0f, 128 / 255f, 1f], ImageFile.Load(path).ToArray());
    }
}
