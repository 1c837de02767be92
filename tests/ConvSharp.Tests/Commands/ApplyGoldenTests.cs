using ConvSharp.Imaging;
using ConvSharp.Tests.Support;
using SkiaSharp;

namespace ConvSharp.Tests.Commands;

/// <summary>
/// The pictures <c>convsharp apply</c> draws stay what they were before it was made faster
/// (Fixtures/apply/README.md): the old responses drawn by today's code give the old pixels
/// exactly, and today's apply computes the old responses and draws them as the library does.
/// </summary>
public class ApplyGoldenTests
{
    public static TheoryData<string, string, DisplayMap, string[]> Cases => new()
    {
        { "sobel-abs", "sobel-x", DisplayMap.Abs, ["-k", "sobel-x", "--map", "abs"] },
        { "gaussian", "gaussian", DisplayMap.Clamp, ["-k", "gaussian:2"] },
        { "sobel-signed", "sobel-x", DisplayMap.Signed, ["-k", "sobel-x"] },
        { "laplacian-normalize", "laplacian", DisplayMap.Normalize, ["-k", "laplacian", "--map", "normalize"] },
        { "sobel-abs-jpg", "sobel-x", DisplayMap.Abs, ["-k", "sobel-x", "--map", "abs", "--format", "jpg"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_old_responses_draw_the_old_pictures(string name, string kernel, DisplayMap map, string[] options)
    {
        _ = options;
        using var output = new TempFolder();
        foreach (var picture in Pictures(name))
        {
            var response = Tensor.LoadNpy(Response(kernel, picture));
            var drawn = output.File(picture);
            ImageFile.Save(Display.Map(response, map), drawn);
            AssertSamePixels(Path.Combine(Expected(name), picture), drawn, $"{name}/{picture}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_computes_the_old_responses_and_draws_them_as_the_library_does(string name, string kernel, DisplayMap map, string[] options)
    {
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["apply", Photos.Fixture("apply", "inputs"), .. options, "--npy", "-o", output.Path]);
        Assert.True(code == 0, error);
        Assert.Equal(Pictures(name), Directory.GetFiles(output.Path).Where(f => !f.EndsWith(".npy", StringComparison.Ordinal)).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        using var drawn = new TempFolder();
        foreach (var picture in Pictures(name))
        {
            var response = Tensor.LoadNpy(Path.ChangeExtension(Path.Combine(output.Path, picture), ".npy"));
            var old = Tensor.LoadNpy(Response(kernel, picture));
            Assert.Equal(old.Shape, response.Shape);
            Assert.True(Tensor.AllClose(response, old, rtol: 1e-5f, atol: 1e-6f), $"{name}/{picture}: the response differs from the old one by {(response - old).Abs().Max()}");

            ImageFile.Save(Display.Map(response, map), drawn.File(picture));
            AssertSamePixels(drawn.File(picture), Path.Combine(output.Path, picture), $"{name}/{picture}");
        }
    }

    private static string Expected(string name) => Photos.Fixture("apply", "expected", name);

    private static string Response(string kernel, string picture) => Path.ChangeExtension(Photos.Fixture("apply", "expected", "responses", kernel, picture), ".npy");

    private static List<string> Pictures(string name) => [.. Directory.GetFiles(Expected(name)).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    private static void AssertSamePixels(string expectedPath, string actualPath, string what)
    {
        var (want, got) = (Pixels(expectedPath), Pixels(actualPath));
        Assert.True(want.Info == got.Info, $"{what}: {got.Info.Width}×{got.Info.Height} {got.Info.ColorType}, expected {want.Info.Width}×{want.Info.Height} {want.Info.ColorType}");
        var differ = want.Bytes.Zip(got.Bytes).Count(pair => pair.First != pair.Second);
        Assert.True(differ == 0, $"{what}: {differ} of {want.Bytes.Length} bytes differ");
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

        return (info, bytes);
    }
}
