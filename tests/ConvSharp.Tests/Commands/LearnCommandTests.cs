using System.Text.Json;
using ConvSharp.Imaging;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary>
/// <c>convsharp learn</c> recovers kernels that an independent tool applied to a real photograph:
/// OpenCV's filter2D, run once by tools/fixtures/make_learn_fixtures.py.
/// </summary>
public class LearnCommandTests
{
    private static readonly Lazy<JsonElement> Truth = new(() =>
        JsonDocument.Parse(File.ReadAllText(Photos.Fixture("learn", "truth.json"))).RootElement);

    private static float[] TrueKernel(string name) =>
        [.. Truth.Value.GetProperty(name).GetProperty("kernel").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle())];

    private static float TrueBias(string name) => Truth.Value.GetProperty(name).GetProperty("bias").GetSingle();

    /// <summary>Runs learn; returns the kernel and bias it wrote, its result (stdout) and its notes and warnings (stderr).</summary>
    private static (float[] Kernel, float Bias, string Text, string Notes) Learn(TempFolder folder, params string[] args)
    {
        var (code, text, error) = CliRunner.Run(["learn", .. args, "-o", folder.Path]);
        Assert.True(code == 0, error + text);
        var kernel = Tensor.LoadNpy(folder.File("kernel.npy"));
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("kernel.json")));
        var bias = json.RootElement.GetProperty("bias").GetSingle();
        Assert.Equal(kernel.ToArray(), json.RootElement.GetProperty("kernel").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle()));
        return (kernel.ToArray(), bias, text, error);
    }

    [Theory]
    [InlineData("random3", "3x3", "random3.npy")]
    [InlineData("random5", "5x5", "random5.npy")]
    [InlineData("blur5", "5x5", "blur5.png")]
    public void A_random_kernel_applied_by_OpenCV_is_recovered_within_a_thousandth(string name, string size, string target)
    {
        using var folder = new TempFolder();
        var (kernel, bias, _, _) = Learn(folder, Photos.Fixture("learn", "input.png"), Photos.Fixture("learn", target), "--size", size);
        var truth = TrueKernel(name);
        Assert.Equal(truth.Length, kernel.Length);
        var worst = kernel.Zip(truth, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-3, $"{name}: largest tap error {worst}");
        Assert.Equal(TrueBias(name), bias, 1e-3f);
    }

    [Fact]
    public void The_border_can_be_fitted_too_when_its_mode_is_known()
    {
        using var folder = new TempFolder();
        // OpenCV's BORDER_REFLECT_101 is PyTorch's (and ConvSharp's) 'reflect'.
        var (kernel, _, text, _) = Learn(folder, Photos.Fixture("learn", "input.png"), Photos.Fixture("learn", "random3.npy"), "--size", "3x3", "--padding", "same", "--mode", "reflect");
        Assert.Contains("over 65536 values", text, StringComparison.Ordinal);
        Assert.True(kernel.Zip(TrueKernel("random3"), (a, b) => Math.Abs(a - b)).Max() < 1e-3);
    }

    [Fact]
    public void A_wrong_border_mode_or_size_is_flagged_as_a_poor_fit()
    {
        using var folder = new TempFolder();
        var (_, _, _, notes) = Learn(folder, Photos.Fixture("learn", "input.png"), Photos.Fixture("learn", "random3.npy"), "--size", "3x3", "--padding", "same", "--mode", "zeros", "--epochs", "300");
        Assert.Contains("warning: the fit is not exact", notes, StringComparison.Ordinal);
        var (_, _, _, wrongSize) = Learn(folder, Photos.Fixture("learn", "input.png"), Photos.Fixture("learn", "random5.npy"), "--size", "3x3", "--epochs", "300");
        Assert.Contains("Is --size right?", wrongSize, StringComparison.Ordinal);
    }

    [Fact]
    public void Adam_recovers_the_kernel_too()
    {
        using var folder = new TempFolder();
        var (kernel, _, _, _) = Learn(folder, Photos.Fixture("learn", "input.png"), Photos.Fixture("learn", "random3.npy"), "--size", "3x3", "--optimizer", "adam");
        var worst = kernel.Zip(TrueKernel("random3"), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-3, $"largest tap error {worst}");
    }

    [Fact]
    public void It_writes_the_kernel_the_curve_and_the_picture_and_apply_reads_the_kernel_back()
    {
        using var folder = new TempFolder();
        Learn(folder, Photos.Fixture("learn", "input.png"), Photos.Fixture("learn", "random5.npy"), "--size", "5x5");
        Assert.Equal([5, 5], Tensor.LoadNpy(folder.File("kernel.npy")).Shape);
        var loss = ImageFile.Load(folder.File("loss.png"));
        Assert.Equal([3, 500, 800], loss.Shape);
        // The title is text in the bundled font: dark pixels across the top band.
        Assert.True(Imaging.PictureTests.DarkPixels(loss, 0, 40, 0, 800) > 100, "the loss plot's title did not render");
        Assert.Equal(3, ImageFile.Load(folder.File("kernel.png")).Shape[0]);

        // kernel.json, bias included, is a kernel apply takes: it reproduces the target.
        var (code, _, error) = CliRunner.Run("apply", Photos.Fixture("learn", "input.png"), "-k", folder.File("kernel.json"), "--padding", "valid", "--npy", "-o", folder.File("again.png"));
        Assert.True(code == 0, error);
        var again = Tensor.LoadNpy(folder.File("again.npy"));
        var target = Tensor.LoadNpy(Photos.Fixture("learn", "random5.npy"))[2..^2, 2..^2].Unsqueeze(0);
        Assert.True(Tensor.AllClose(again, target, rtol: 0, atol: 1e-3f), "apply with the learned kernel does not reproduce the target");
    }

    [Fact]
    public void Colour_to_gray_is_learned_with_full_channels()
    {
        using var folder = new TempFolder();
        var coffee = ImageFile.Load(Photos.Data("coffee.png"))[.., 100..228, 200..328];
        var mix = Tensor.FromArray([0.2f, 0.7f, 0.1f], 1, 3, 1, 1) * Kernels.SobelX().Reshape(1, 1, 3, 3);
        var gray = Functional.Conv2d(coffee.Unsqueeze(0), mix).Squeeze(0);
        coffee.SaveNpy(folder.File("coffee.npy"));
        gray.SaveNpy(folder.File("edges.npy"));
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run("learn", folder.File("coffee.npy"), folder.File("edges.npy"), "--size", "3x3", "--channels", "full", "-o", output.Path);
        Assert.True(code == 0, error);
        var learned = Tensor.LoadNpy(output.File("kernel.npy"));
        Assert.Equal([1, 3, 3, 3], learned.Shape);
        Assert.True(Tensor.AllClose(learned, mix, rtol: 0, atol: 1e-3f), learned.ToString());
    }

    [Fact]
    public void With_no_files_it_recovers_a_hidden_Sobel_kernel_from_a_bundled_photograph()
    {
        using var folder = new TempFolder();
        var (kernel, bias, text, _) = Learn(folder);
        Assert.Contains("camera.png", text, StringComparison.Ordinal);
        Assert.True(kernel.Zip(Kernels.SobelX().ToArray(), (a, b) => Math.Abs(a - b)).Max() < 1e-3);
        Assert.Equal(0f, bias, 1e-3f);
    }

    [Theory]
    [InlineData("one file", "give both INPUT and TARGET", 2)]
    [InlineData("no size", "--size KHxKW is required", 2)]
    [InlineData("bad size", "cannot read size '3by3'", 2)]
    [InlineData("target too small", "is --size right?", 1)]
    [InlineData("channels", "use --channels full", 1)]
    [InlineData("epochs", "--epochs must be between 1 and 1000000", 2)]
    [InlineData("lr", "--lr must be a positive number", 2)]
    [InlineData("missing", "no such file", 1)]
    [InlineData("padding mismatch", "but the target is", 1)]
    public void Bad_input_gets_one_line_and_a_non_zero_exit(string kind, string message, int code)
    {
        using var folder = new TempFolder();
        var input = Photos.Fixture("learn", "input.png");
        var target = Photos.Fixture("learn", "random3.npy");
        var args = kind switch
        {
            "one file" => ["learn", input],
            "no size" => ["learn", input, target],
            "bad size" => ["learn", input, target, "--size", "3by3"],
            "target too small" => ["learn", input, Photos.Fixture("images", "gray.png"), "--size", "3x3"],
            "channels" => ["learn", Photos.Data("coffee.png"), Photos.Data("camera.png"), "--size", "3x3"],
            "epochs" => ["learn", input, target, "--size", "3x3", "--epochs", "0"],
            "lr" => ["learn", input, target, "--size", "3x3", "--lr", "-1"],
            "missing" => ["learn", input, folder.File("nope.npy"), "--size", "3x3"],
            _ => new[] { "learn", input, target, "--size", "3x3", "--padding", "valid" },
        };
        var line = CliRunner.RunExpectingOneLineError(code, [.. args, "-o", folder.File("out")]);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("out")));
    }
}
