using ConvSharp.Cli.LeNet;
using ConvSharp.Nn;
using ConvSharp.Tests.Onnx;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary><c>convsharp lenet export</c> through the real command line; the exported model runs in ONNX Runtime.</summary>
[Trait("Category", "Onnx")]
public class LenetExportCommandTests
{
    private static Sequential SavedLeNet(string path, LeNetVariant variant)
    {
        var net = OrtCheck.Randomize(LeNetModel.Create(variant), seed: 5);
        net.Save(path, new Dictionary<string, string> { ["model"] = "LeNet", ["variant"] = variant.ToString().ToLowerInvariant() });
        return net;
    }

    [Theory]
    [InlineData("d2l")]
    [InlineData("modern")]
    public void Export_writes_a_model_that_ONNX_Runtime_runs_as_ConvSharp_does(string variant)
    {
        using var folder = new TempFolder();
        var weights = folder.File("model.safetensors");
        var net = SavedLeNet(weights, variant == "modern" ? LeNetVariant.Modern : LeNetVariant.D2l);
        var onnx = folder.File("out", "lenet.onnx");

        var (code, output, error) = CliRunner.Run("lenet", "export", "--weights", weights, "--variant", variant, "-o", onnx);

        Assert.True(code == 0, error);
        Assert.Equal("", output);
        Assert.Contains($"wrote {onnx}: LeNet ({variant})", error, StringComparison.Ordinal);
        var input = OrtCheck.Input(3, 1, 28, 28);
        using var noGrad = Tensor.NoGrad();
        OrtCheck.AssertClose(net.Eval().Forward(input), OrtCheck.Run(File.ReadAllBytes(onnx), input));
    }

    /// <summary>
    /// The committed PyTorch-trained LeNets and PyTorch's logits for the committed Fashion-MNIST
    /// subset: three libraries, one answer. The largest difference goes to the test output
    /// (<c>dotnet test --filter FullyQualifiedName~PyTorch_trained --logger "console;verbosity=detailed"</c>).
    /// </summary>
    [Theory]
    [InlineData("d2l")]
    [InlineData("modern")]
    public void A_PyTorch_trained_LeNet_gives_PyTorch_logits_in_ONNX_Runtime(string variant)
    {
        using var folder = new TempFolder();
        var onnx = folder.File(variant + ".onnx");
        var (code, _, error) = CliRunner.Run("lenet", "export", "--weights", Photos.Fixture("lenet", variant + ".safetensors"), "--variant", variant, "-o", onnx);
        Assert.True(code == 0, error);

        var test = ConvSharp.Data.FashionMnist.Load(Photos.Fixture("fashion-mnist-subset"), train: false);
        var logits = OrtCheck.Run(File.ReadAllBytes(onnx), test.Images.Reshape(test.Count, 1, 28, 28));
        var worst = OrtCheck.AssertClose(Tensor.LoadNpy(Photos.Fixture("lenet", variant + "-logits.npy")), logits);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"LeNet ({variant}), {test.Count} test images: largest |ONNX Runtime - PyTorch| logit difference {worst:G3}");
    }

    [Fact]
    public void Weights_saved_as_one_variant_are_refused_as_the_other()
    {
        using var folder = new TempFolder();
        var weights = folder.File("model.safetensors");
        SavedLeNet(weights, LeNetVariant.Modern);
        var line = CliRunner.RunExpectingOneLineError(2, "lenet", "export", "--weights", weights, "--output", folder.File("m.onnx"));
        Assert.Contains("pass --variant modern", line, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("m.onnx")));
    }

    [Fact]
    public void A_bad_weights_file_is_exit_code_1_and_writes_nothing()
    {
        using var folder = new TempFolder();
        var damaged = folder.File("damaged.safetensors");
        File.WriteAllBytes(damaged, [1, 2, 3]);
        var line = CliRunner.RunExpectingOneLineError(1, "lenet", "export", "--weights", damaged, "-o", folder.File("m.onnx"));
        Assert.Contains("damaged.safetensors", line, StringComparison.Ordinal);

        var other = folder.File("other.safetensors");
        new Sequential(new Linear(2, 2)).Save(other);
        var wrongModel = CliRunner.RunExpectingOneLineError(1, "lenet", "export", "--weights", other, "-o", folder.File("m.onnx"));
        Assert.Contains("is not a LeNet (d2l) state dict", wrongModel, StringComparison.Ordinal);

        CliRunner.RunExpectingOneLineError(1, "lenet", "export", "--weights", folder.File("missing.safetensors"), "-o", folder.File("m.onnx"));
        Assert.False(File.Exists(folder.File("m.onnx")));
    }

    [Fact]
    public void Bad_arguments_are_exit_code_2()
    {
        using var folder = new TempFolder();
        var weights = folder.File("model.safetensors");
        SavedLeNet(weights, LeNetVariant.D2l);
        var replace = CliRunner.RunExpectingOneLineError(2, "lenet", "export", "--weights", weights, "-o", weights);
        Assert.Contains("would replace the input", replace, StringComparison.Ordinal);
        CliRunner.RunExpectingOneLineError(2, "lenet", "export", "--weights", weights);
        CliRunner.RunExpectingOneLineError(2, "lenet", "export", "--weights", weights, "--variant", "lenet7", "-o", folder.File("m.onnx"));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }
}
