using ConvSharp.Tests.Support;
using SkiaSharp;

namespace ConvSharp.Tests.Commands;

/// <summary>
/// The pictures <c>convsharp apply</c> draws stay what they were before it was made faster
/// (Fixtures/apply/README.md): a PNG writer of its own, vector loops for reading, mapping and
/// quantising. The files' bytes may differ; the decoded pixels may not.
/// </summary>
public class ApplyGoldenTests
{
    [Theory]
    [InlineData("sobel-abs", "-k", "sobel-x", "--map", "abs")]
    [InlineData("gaussian", "-k", "gaussian:2")]
    [InlineData("sobel-signed", "-k", "sobel-x")]
    [InlineData("laplacian-normalize", "-k", "laplacian", "--map", "normalize")]
    [InlineData("sobel-abs-jpg", "-k", "sobel-x", "--map", "abs", "--format", "jpg")]
    public void Pictures_are_the_pixels_apply_drew_before(string name, params string[] options)
    {
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["apply", Photos.Fixture("apply", "inputs"), .. options, "-o", output.Path]);
        Assert.True(code == 0, error);
        var expectedFolder = Photos.Fixture("apply", "expected", name);
        var expected = Directory.GetFiles(expectedFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Directory.GetFiles(output.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in expected)
        {
            var (want, got) = (Pixels(Path.Combine(expectedFolder, file!)), Pixels(Path.Combine(output.Path, file!)));
            Assert.True(want.Info == got.Info, $"{name}/{file}: {got.Info.Width}×{got.Info.Height} {got.Info.ColorType}, expected {want.Info.Width}×{want.Info.Height} {want.Info.ColorType}");
            var differ = want.Bytes.Zip(got.Bytes).Count(pair => pair.First != pair.Second);
            Assert.True(differ == 0, $"{name}/{file}: {differ} of {want.Bytes.Length} bytes differ from the picture apply drew before");
        }
    }

    /// <summary>A file's pixels as Skia decodes them, in the colour type it was stored in (gray stays gray).</summary>
    private static (SKImageInfo Info, byte[] Bytes) Pixels(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException($"{path}: not an image");
        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var bytes = new byte[info.BytesSize];
        unsafe
        {
            fixed (byte* p = bytes)
            {
                Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, (nint)p));
            }
        }

        return (info with { ColorSpace = null }, bytes);
    }
}
