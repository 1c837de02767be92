using System.Globalization;
using ConvSharp.Cli;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;
using ConvSharp.Interop;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary>
/// <c>-</c> as standard input or output, with real bytes through the command line: the same
/// bytes as through files, nothing else on stdout, and nothing at all there when a run fails.
/// </summary>
public class StandardStreamTests
{
    private static readonly byte[] Camera = File.ReadAllBytes(Photos.Data("camera.png"));

    [Fact]
    public void Apply_from_stdin_to_stdout_writes_the_same_picture_as_through_files()
    {
        using var folder = new TempFolder();
        var (code, text, bytes, error) = CliRunner.RunPiped(Camera, "apply", "-", "-k", "sobel-x", "--mode", "zeros", "-o", "-");
        Assert.True(code == 0, error);
        Assert.Equal("", text);
        Assert.Contains("wrote a png picture to standard output (map: signed)", error, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("apply", Photos.Data("camera.png"), "-k", "sobel-x", "--mode", "zeros", "-o", folder.File("edges.png")).Code);
        Assert.Equal(File.ReadAllBytes(folder.File("edges.png")), bytes);
        Assert.Equal([3, 512, 512], ImageFile.Decode(new MemoryStream(bytes), "stdout").Shape);
    }

    [Fact]
    public void Apply_format_npy_puts_the_raw_response_on_stdout()
    {
        var (code, text, bytes, error) = CliRunner.RunPiped([], "apply", Photos.Data("camera.png"), "-k", "sobel-x", "--mode", "zeros", "--format", "npy", "-o", "-");
        Assert.True(code == 0, error);
        Assert.Equal("", text);
        var response = NpyFormat.Read(new MemoryStream(bytes));
        var image = ImageFile.Load(Photos.Data("camera.png"));
        var expected = Functional.Conv2d(image.Unsqueeze(0), Kernels.SobelX().Reshape(1, 1, 3, 3), padding: 1).Squeeze(0);
        Assert.True(Tensor.AllClose(response, expected, rtol: 0, atol: 1e-5f), "the raw response differs from Functional.Conv2d");
    }

    [Fact]
    public void A_failed_run_puts_nothing_on_stdout_and_names_standard_input()
    {
        var (code, text, bytes, error) = CliRunner.RunPiped("<html>not a picture</html>"u8.ToArray(), "apply", "-", "-k", "edge", "-o", "-");
        Assert.Equal(1, code);
        Assert.Equal("", text);
        Assert.Empty(bytes);
        Assert.StartsWith("convsharp apply: error: standard input: ", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Apply_from_stdin_to_a_file()
    {
        using var folder = new TempFolder();
        var (code, _, bytes, error) = CliRunner.RunPiped(Camera, "apply", "-", "-k", "box:3", "-o", folder.File("blur.webp"));
        Assert.True(code == 0, error);
        Assert.Empty(bytes);
        Assert.Equal([512, 512], ImageFile.Load(folder.File("blur.webp")).Shape[1..]);
    }

    [Fact]
    public void Kernels_draws_to_stdout_and_moves_the_numbers_to_stderr()
    {
        var (code, text, bytes, error) = CliRunner.RunPiped([], "kernels", "sobel-x", "-o", "-");
        Assert.True(code == 0, error);
        Assert.Equal("", text);
        Assert.Equal(3, ImageFile.Decode(new MemoryStream(bytes), "stdout").Shape[0]);
        Assert.Contains("tensor([[-1.,  0.,  1.],", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lenet_eval_writes_the_logits_to_stdout_and_the_accuracy_to_stderr()
    {
        var (code, text, bytes, error) = CliRunner.RunPiped(
            [], "lenet", "eval", "--weights", Photos.Fixture("lenet", "d2l.safetensors"), "--data", Photos.Fixture("fashion-mnist-subset"), "--predictions", "-");
        Assert.True(code == 0, error);
        Assert.Equal("", text);
        Assert.Contains("of 500)", error, StringComparison.Ordinal);
        var logits = NpyFormat.Read(new MemoryStream(bytes)).ToArray();
        var expected = Tensor.LoadNpy(Photos.Fixture("lenet", "d2l-logits.npy")).ToArray();
        Assert.Equal(expected.Length, logits.Length);
        Assert.True(logits.Zip(expected, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
    }

    [Fact]
    public void Lenet_export_to_stdout_gives_the_same_model_as_to_a_file()
    {
        using var folder = new TempFolder();
        var weights = Photos.Fixture("lenet", "d2l.safetensors");
        var (code, text, bytes, error) = CliRunner.RunPiped([], "lenet", "export", "--weights", weights, "-o", "-");
        Assert.True(code == 0, error);
        Assert.Equal("", text);
        Assert.Equal(0, CliRunner.Run("lenet", "export", "--weights", weights, "-o", folder.File("m.onnx")).Code);
        Assert.Equal(File.ReadAllBytes(folder.File("m.onnx")), bytes);
    }

    [Theory]
    [InlineData("input", "input.png")]
    [InlineData("target", "random3.npy")]
    public void Learn_reads_its_input_or_target_from_stdin(string role, string file)
    {
        using var piped = new TempFolder();
        using var named = new TempFolder();
        var (input, target) = (Photos.Fixture("learn", "input.png"), Photos.Fixture("learn", "random3.npy"));
        var stdin = File.ReadAllBytes(Photos.Fixture("learn", file));
        string[] files = role == "input" ? ["-", target] : [input, "-"];
        var (code, _, bytes, error) = CliRunner.RunPiped(stdin, ["learn", .. files, "--size", "3", "-o", piped.Path]);
        Assert.True(code == 0, error);
        Assert.Empty(bytes);
        Assert.Equal(0, CliRunner.Run("learn", input, target, "--size", "3", "-o", named.Path).Code);
        Assert.Equal(Tensor.LoadNpy(named.File("kernel.npy")).ToArray(), Tensor.LoadNpy(piped.File("kernel.npy")).ToArray());
    }

    [Theory]
    [InlineData("no output", "give -o FILE, or -o - for standard output")]
    [InlineData("stdin into a folder", "has no name to make an output's from")]
    [InlineData("stdin among others", "must be the only input")]
    [InlineData("npy beside stdout", "use --format npy")]
    [InlineData("npy format to a file", "--format npy writes the raw response to standard output")]
    [InlineData("tour", "-o - would be standard output, but this command writes a folder of files")]
    [InlineData("learn both", "INPUT and TARGET are both -")]
    public void Refusals(string kind, string message)
    {
        using var folder = new TempFolder();
        var camera = Photos.Data("camera.png");
        string[] args = kind switch
        {
            "no output" => ["apply", "-", "-k", "edge"],
            "stdin into a folder" => ["apply", "-", "-k", "edge", "-o", folder.Path + "/"],
            "stdin among others" => ["apply", "-", camera, "-k", "edge", "-o", folder.File("out")],
            "npy beside stdout" => ["apply", camera, "-k", "edge", "--npy", "-o", "-"],
            "npy format to a file" => ["apply", camera, "-k", "edge", "--format", "npy", "-o", folder.File("x.png")],
            "tour" => ["tour", "-o", "-"],
            _ => ["learn", "-", "-", "--size", "3", "-o", folder.File("out")],
        };
        var (code, text, bytes, error) = CliRunner.RunPiped(Camera, args);
        Assert.Equal(2, code);
        Assert.Equal("", text);
        Assert.Empty(bytes);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    /// <summary>
    /// <c>convsharp apply - -o photo.png &lt; photo.png</c>: standard input is the very file the
    /// output would replace (the process finds it through /proc/self/fd/0; here the test names it).
    /// </summary>
    [Theory]
    [InlineData("apply")]
    [InlineData("learn")]
    public void An_output_may_not_replace_the_file_behind_standard_input(string command)
    {
        using var folder = new TempFolder();
        var photo = folder.File("photo.png");
        File.Copy(Photos.Data("camera.png"), photo);
        var before = File.ReadAllBytes(photo);
        string[] args = command == "apply"
            ? ["apply", "-", "-k", "sobel-x", "-o", photo]
            : ["learn", "-", Photos.Data("camera.png"), "--size", "3", "-o", folder.Path];
        if (command == "learn")
        {
            File.Move(photo, Path.Combine(folder.Path, "loss.png")); // one of the files learn writes
            photo = Path.Combine(folder.Path, "loss.png");
        }

        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        using var stdin = new MemoryStream(before);
        using var stdout = new MemoryStream();
        var streams = new StandardStreams(() => stdin, () => stdout) { InputFile = () => photo };

        Assert.Equal(2, CliApp.Run(args, output, error, streams));
        Assert.Contains("would replace the input", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(photo));
    }
}
