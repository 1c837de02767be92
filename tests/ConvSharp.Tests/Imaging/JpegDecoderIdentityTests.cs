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

    internal static void AssertIdentical(byte[] file, string what)
    {
        var expected = JpegDecoding.Skia(file);
        Assert.NotNull(expected);
        var actual = JpegDecoding.Fast(file);
        Assert.True(actual is not null, $"{what}: refused");
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: first difference at {JpegDecoding.FirstDifference(expected, actual)}");
    }
}
