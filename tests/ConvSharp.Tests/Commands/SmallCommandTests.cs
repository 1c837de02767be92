using ConvSharp.Imaging;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary><c>convsharp kernels</c>, <c>rf</c> and <c>tour --out</c>.</summary>
[Collection(GlobalGeneratorTests.Name)]
public class SmallCommandTests
{
    [Fact]
    public void Kernels_lists_the_whole_catalogue()
    {
        var (code, text, _) = CliRunner.Run("kernels");
        Assert.Equal(0, code);
        foreach (var (name, _) in Kernels.Catalogue)
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Kernels_shows_one_and_draws_it()
    {
        using var folder = new TempFolder();
        var (code, text, error) = CliRunner.Run("kernels", "sobel-x", "--png", folder.File("sobel.png"));
        Assert.True(code == 0, error);
        Assert.Contains("tensor([[-1.,  0.,  1.],", text, StringComparison.Ordinal);
        var picture = ImageFile.Load(folder.File("sobel.png"));
        Assert.Equal(3, picture.Shape[0]);
        Assert.True(Imaging.PictureTests.DarkPixels(picture, 0, 30, 0, picture.Shape[2]) > 30, "the title did not render");
    }

    [Theory]
    [InlineData(new[] { "kernels", "sobelx" }, "unknown kernel")]
    [InlineData(new[] { "kernels", "edge", "--png", "edge.jpg" }, "ending in .png")]
    [InlineData(new[] { "kernels", "--png", "x.png" }, "name it")]
    [InlineData(new[] { "kernels", "box:46000" }, "between 1 and 1001")]
    [InlineData(new[] { "rf", "conv3,fc" }, "cannot read layer 'fc'")]
    [InlineData(new[] { "rf", "conv99999999999" }, "99999999999 is too large")]
    [InlineData(new[] { "rf", "conv2147483647,conv2147483647" }, "would be 4294967293 pixels wide")]
    [InlineData(new[] { "rf", "conv3s0" }, "got kernel 3, stride 0, dilation 1, padding 1")]
    [InlineData(new[] { "rf", "conv٣" }, "cannot read layer 'conv٣'")]
    [InlineData(new[] { "learn", "--size", "102" }, "at most 101 taps a side")]
    public void Bad_arguments_get_one_line(string[] args, string message)
    {
        var line = CliRunner.RunExpectingOneLineError(2, args);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Rf_prints_every_layer_and_the_summary()
    {
        var (code, text, _) = CliRunner.Run("rf", "conv3x3,conv3x3s2,pool2,conv3x3d2");
        Assert.Equal(0, code);
        Assert.Contains("23×23", text, StringComparison.Ordinal);
        Assert.Contains("Each output of the last layer sees 23×23 input pixels; neighbouring outputs are 4 pixels apart", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Tour_out_draws_the_chapters_pictures()
    {
        using var folder = new TempFolder();
        var (code, text, error) = CliRunner.Run("tour", "--out", folder.Path);
        Assert.True(code == 0, error);
        Assert.Contains("tensor([[19., 25.],", text, StringComparison.Ordinal);
        string[] expected = ["6.2.3-edge-detection.png", "6.2.4-learned-kernel.png", "exercise1-diagonal-edges.png", "photo-laplacian-box.png"];
        Assert.Equal(expected, Directory.EnumerateFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in expected)
        {
            var picture = ImageFile.Load(folder.File(name));
            Assert.True(Imaging.PictureTests.DarkPixels(picture, 0, 30, 0, picture.Shape[2]) > 30, $"{name}: the title did not render");
        }
    }
}
