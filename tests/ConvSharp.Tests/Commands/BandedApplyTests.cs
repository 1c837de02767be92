using ConvSharp.Cli.Filtering;
using ConvSharp.Imaging;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary>
/// <c>apply</c> in bands of rows: cutting an image into many bands (a tiny band budget) gives the
/// response and the picture that one call over the whole image gives, for every border mode,
/// stride, kernel shape and display map, and hands the image's rows back as it goes.
/// </summary>
public class BandedApplyTests
{
    public static TheoryData<string, string, string, int, string> Cases => new()
    {
        { "camera.png", "sobel-x", "reflect", 1, "auto" },
        { "camera.png", "gaussian:2", "zeros", 1, "auto" },
        { "camera.png", "laplacian", "circular", 2, "normalize" },
        { "camera.png", "[[1,2,3],[4,5,6]]", "symmetric", 3, "abs" },
        { "camera.png", "[[0,1],[1,0]]", "replicate", 1, "clamp" },
        { "coffee.png", "sobel-y", "reflect", 1, "signed" },
        { "coffee.png", "[[[1,0,-1]],[[0,2,0]],[[-1,0,1]]]", "zeros", 2, "signed" },
        { "coffee.png", "box:5", "replicate", 1, "auto" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Many_bands_give_what_one_band_gives(string photo, string kernel, string mode, int stride, string map)
    {
        using var folder = new TempFolder();
        var settings = new FilterSettings(
            Convolve: kernel.StartsWith("[[1,2", StringComparison.Ordinal), Padding.Same, Enum.Parse<PaddingMode>(mode, ignoreCase: true), stride,
            map == "auto" ? null : Enum.Parse<DisplayMap>(map, ignoreCase: true));
        var job = new ApplyJob(KernelSpec.Parse(kernel), settings, null, WriteNpy: true);
        job.Run(Photos.Data(photo), folder.File("whole.png"));
        (job with { BandFloats = 20_000 }).Run(Photos.Data(photo), folder.File("bands.png"));

        var (whole, bands) = (Tensor.LoadNpy(folder.File("whole.npy")), Tensor.LoadNpy(folder.File("bands.npy")));
        Expect.Close(whole, bands, rtol: 1e-5, atol: 1e-5, what: "the raw response");
        var (a, b) = (ImageFile.Load(folder.File("whole.png")).ToArray(), ImageFile.Load(folder.File("bands.png")).ToArray());
        Assert.Equal(a.Length, b.Length);
        var differ = a.Zip(b).Count(p => p.First != p.Second);
        Assert.True(differ <= a.Length / 1000, $"{differ} of {a.Length} picture values differ");
        Assert.All(a.Zip(b), p => Assert.True(MathF.Abs(p.First - p.Second) <= 1.5f / 255, $"{p.First} against {p.Second}"));
    }

    [Theory]
    [InlineData("clamp")]
    [InlineData("abs")]
    [InlineData("normalize")]
    public void A_response_that_overflows_is_refused_in_bands_as_in_one(string map)
    {
        using var folder = new TempFolder();
        var settings = new FilterSettings(false, Padding.Same, PaddingMode.Reflect, 1, Enum.Parse<DisplayMap>(map, ignoreCase: true));
        var job = new ApplyJob(KernelSpec.Parse("[[3e38,3e38],[3e38,3e38]]"), settings, null, WriteNpy: false);
        foreach (var (run, name) in new[] { (job, "one"), (job with { BandFloats = 20_000 }, "bands") })
        {
            var error = Assert.Throws<ConvSharp.Cli.CommandLine.CommandFailedException>(() => run.Run(Photos.Data("coffee.png"), folder.File($"{name}.png")));
            Assert.Contains("only finite responses can be displayed", error.Message);
            Assert.False(File.Exists(folder.File($"{name}.png")), $"{name}: a picture was written");
        }
    }

    [Fact]
    public void The_whole_image_in_one_band_is_the_librarys_answer()
    {
        using var folder = new TempFolder();
        var settings = new FilterSettings(false, Padding.Same, PaddingMode.Reflect, 1, null);
        new ApplyJob(KernelSpec.Parse("sobel-x"), settings, null, WriteNpy: true).Run(Photos.Data("coffee.png"), folder.File("edges.png"));
        var image = ImageFile.Load(Photos.Data("coffee.png"));
        var expected = Functional.Conv2d(image.Unsqueeze(1), Kernels.SobelX().Reshape(1, 1, 3, 3), padding: Padding.Same, paddingMode: PaddingMode.Reflect).Squeeze(1);
        Assert.Equal(expected.ToArray(), Tensor.LoadNpy(folder.File("edges.npy")).ToArray());
        Assert.Equal(Display.Map(expected, DisplayMap.Signed).Shape, ImageFile.Load(folder.File("edges.png")).Shape);
    }

    [Fact]
    public void Rows_are_handed_back_once_no_band_needs_them()
    {
        // 3000 rows of 3000 gray pixels: 9 MB, held in chunks of 4 MB.
        using var folder = new TempFolder();
        ImageFile.Save(Tensor.Rand(1, 3000, 3000), folder.File("big.png"));
        using var image = ImageFile.Open(folder.File("big.png"));
        var filter = ImageFilter.For(KernelSpec.Parse("sobel-x"), image.Channels, convolve: false);
        var bands = new BandedFilter(image, filter, new FilterSettings(false, Padding.Same, PaddingMode.Reflect, 1, null), 3, bandFloats: 1_000_000);
        Assert.True(bands.Bands > 10, $"{bands.Bands} bands");
        var middle = bands.FirstRowNeededAfter(bands.Bands / 2);
        Assert.InRange(middle, 1400, 1600);
        image.ReleaseRowsBefore(middle);
        var row = new float[image.Width];
        image.ReadRows(middle, 1, row);
        Assert.Throws<InvalidOperationException>(() => image.ReadRows(0, 1, row));

        // Circular padding reads the top rows again at the bottom: they are kept to the end.
        var circular = new BandedFilter(image, filter, new FilterSettings(false, Padding.Same, PaddingMode.Circular, 1, null), 3, bandFloats: 1_000_000);
        Assert.Equal(0, circular.FirstRowNeededAfter(circular.Bands / 2));
    }
}
