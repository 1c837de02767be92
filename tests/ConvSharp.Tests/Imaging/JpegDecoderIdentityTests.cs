using ConvSharp.Imaging;
using ConvSharp.Tests.Support;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The fast JPEG decoder against SkiaSharp's, byte for byte, over photos re-encoded at many
/// qualities, gray and colour, 4:4:4 / 4:2:2 / 4:2:0, odd sizes and extreme pictures.
/// </summary>
public class JpegDecoderIdentityTests
{
    public static TheoryData<bool, int, int> Kinds()
    {
        var data = new TheoryData<bool, int, int>();
        foreach (var quality in new[] { 1, 5, 25, 50, 75, 90, 95, 100 })
        {
            data.Add(true, quality, 0);
            foreach (var downsample in new[] { SKJpegEncoderDownsample.Downsample444, SKJpegEncoderDownsample.Downsample422, SKJpegEncoderDownsample.Downsample420 })
            {
                data.Add(false, quality, (int)downsample);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Photos_decode_as_skia_decodes_them(bool gray, int quality, int downsample)
    {
        foreach (var (name, x, y, w, h) in new[] { ("camera.png", 100, 60, 278, 391), ("coffee.png", 3, 5, 161, 97), ("brick.png", 0, 0, 64, 33) })
        {
            var (rgba, width, height) = JpegDecoding.Photo(name, x, y, w, h);
            var file = JpegDecoding.EncodeWithSkia(rgba, width, height, gray, quality, (SKJpegEncoderDownsample)downsample);
            AssertIdentical(file, $"{name} {width}×{height}");
        }
    }

    /// <summary>
    /// ImageFile.Load, ImageFile.Open and ImageFile.Decode (which take the fast path) against the
    /// SkiaSharp route of before, for files it takes and files it refuses, with an EXIF orientation.
    /// </summary>
    [Fact]
    public void Load_open_and_decode_give_the_skia_routes_values()
    {
        using var folder = new TempFolder();
        var (rgba, width, height) = JpegDecoding.Photo("camera.png", 100, 60, 278, 391);
        var paths = new List<string> { Photos.Fixture("images", "rotated.jpg"), Photos.Fixture("images", "gray.jpg") };
        paths.AddRange(Directory.GetFiles(Photos.Fixture("jpeg-decoder"), "*.jpg").Order());
        foreach (var (gray, downsample) in new[] { (true, SKJpegEncoderDownsample.Downsample444), (false, SKJpegEncoderDownsample.Downsample420), (false, SKJpegEncoderDownsample.Downsample422) })
        {
            var path = Path.Combine(folder.Path, $"camera-{gray}-{downsample}.jpg");
            File.WriteAllBytes(path, JpegDecoding.EncodeWithSkia(rgba, width, height, gray, 95, downsample));
            paths.Add(path);
        }

        foreach (var path in paths)
        {
            var expected = SkiaRoute(path);
            Assert.Equal(expected.Shape, ImageFile.Load(path).Shape);
            Assert.True(expected.ToArray().AsSpan().SequenceEqual(ImageFile.Load(path).ToArray()), path);
            using (var raster = ImageFile.Open(path))
            {
                Assert.True(expected.ToArray().AsSpan().SequenceEqual(raster.ToTensor().ToArray()), path);
            }

            using var stream = File.OpenRead(path);
            Assert.True(expected.ToArray().AsSpan().SequenceEqual(ImageFile.Decode(stream, path).ToArray()), path);
        }
    }

    [Fact]
    public void A_truncated_file_fails_with_the_skia_routes_message()
    {
        using var folder = new TempFolder();
        var (rgba, width, height) = JpegDecoding.Photo("coffee.png", 0, 0, 64, 64);
        var file = JpegDecoding.EncodeWithSkia(rgba, width, height, false, 90, SKJpegEncoderDownsample.Downsample420);
        var path = Path.Combine(folder.Path, "cut.jpg");
        File.WriteAllBytes(path, file[..(file.Length * 2 / 3)]);
        var expected = Assert.Throws<InvalidDataException>(() => SkiaRoute(path));
        var actual = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Equal(expected.Message, actual.Message);
    }

    /// <summary>The decoding of before: SkiaSharp's codec on the file, no fast path.</summary>
    private static Tensor SkiaRoute(string path)
    {
        using var codec = SKCodec.Create(path);
        using var raster = ImageRaster.Decode(codec, path, ImageLoadOptions.Default);
        return raster.ToTensor();
    }

    internal static void AssertIdentical(byte[] file, string what)
    {
        var expected = JpegDecoding.Skia(file);
        Assert.NotNull(expected);
        var actual = JpegDecoding.Fast(file);
        Assert.True(actual is not null, $"{what}: refused");
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: first difference at {JpegDecoding.FirstDifference(expected, actual)}");
    }
}
