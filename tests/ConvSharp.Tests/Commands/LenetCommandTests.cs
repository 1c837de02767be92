using System.Text.Json;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary><c>convsharp lenet train|eval</c> through the real command line, on the committed Fashion-MNIST subset.</summary>
public class LenetCommandTests
{
    private static readonly string Subset = Photos.Fixture("fashion-mnist-subset");

    [Fact]
    public void Train_writes_the_model_the_metrics_and_the_curves()
    {
        using var folder = new TempFolder();
        var (code, output, error) = CliRunner.Run("lenet", "train", "--variant", "modern", "--epochs", "2", "--batch", "64", "--data", Subset, "-o", folder.Path, "--threads", "1");
        Assert.True(code == 0, error + output);
        Assert.Contains("test acc", output, StringComparison.Ordinal);
        using var metrics = JsonDocument.Parse(File.ReadAllText(folder.File("metrics.json")));
        var epochs = metrics.RootElement.GetProperty("epochs").EnumerateArray().ToList();
        Assert.Equal(2, epochs.Count);
        foreach (var key in new[] { "epoch", "loss", "train_acc", "test_acc", "seconds", "examples_per_s" })
        {
            Assert.True(epochs[1].TryGetProperty(key, out _), key);
        }

        Assert.Equal(2, epochs[1].GetProperty("epoch").GetInt32());
        Assert.True(new FileInfo(folder.File("curves.png")).Length > 1000);

        // The model it wrote evaluates to the accuracy its last epoch reported.
        var (evalCode, evalOutput, evalError) = CliRunner.Run("lenet", "eval", "--variant", "modern", "--weights", folder.File("model.safetensors"), "--data", Subset);
        Assert.True(evalCode == 0, evalError);
        Assert.Contains($"test acc {epochs[1].GetProperty("test_acc").GetDouble():F4}", evalOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_writes_the_logits_of_a_PyTorch_model()
    {
        using var folder = new TempFolder();
        var predictions = folder.File("logits.npy");
        var (code, output, error) = CliRunner.Run("lenet", "eval", "--weights", Photos.Fixture("lenet", "d2l.safetensors"), "--data", Subset, "--predictions", predictions);
        Assert.True(code == 0, error);
        Assert.Contains("of 500)", output, StringComparison.Ordinal);
        var logits = Tensor.LoadNpy(predictions).ToArray();
        var expected = Tensor.LoadNpy(Photos.Fixture("lenet", "d2l-logits.npy")).ToArray();
        Assert.Equal(expected.Length, logits.Length);
        Assert.True(logits.Zip(expected, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--epochs", "-1")]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "2147483647")]
    [InlineData("--lr", "-0.5")]
    [InlineData("--lr", "NaN")]
    [InlineData("--threads", "0")]
    [InlineData("--variant", "lenet7")]
    public void Bad_training_arguments_are_refused_before_any_work(string option, string value)
    {
        using var folder = new TempFolder();
        var line = CliRunner.RunExpectingOneLineError(2, "lenet", "train", option, value, "--data", Subset, "-o", folder.Path);
        Assert.True(line.Contains(option, StringComparison.Ordinal) || line.Contains($"'{value}'", StringComparison.Ordinal), line);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_diverging_loss_stops_the_run_naming_the_learning_rate()
    {
        using var folder = new TempFolder();
        var output = folder.File("out");
        var (code, _, error) = CliRunner.Run("lenet", "train", "--variant", "modern", "--lr", "1e30", "--epochs", "3", "--data", Subset, "-o", output, "--threads", "1");
        Assert.True(code == 1, error);
        var line = error.Trim().Split('\n')[^1];
        Assert.StartsWith("convsharp lenet train: error: the loss became NaN", line, StringComparison.Ordinal);
        Assert.Contains("--lr", line, StringComparison.Ordinal);
        Assert.Contains("epoch 1 ", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [Fact]
    public void Predictions_go_into_a_new_folder()
    {
        using var folder = new TempFolder();
        var predictions = folder.File(Path.Combine("new", "deeper", "logits.npy"));
        var (code, _, error) = CliRunner.Run("lenet", "eval", "--weights", Photos.Fixture("lenet", "d2l.safetensors"), "--data", Subset, "--predictions", predictions);
        Assert.True(code == 0, error);
        Assert.Equal([500, 10], Tensor.LoadNpy(predictions).Shape);
    }

    [Theory]
    [InlineData("t10k-labels-idx1-ubyte.gz")]
    [InlineData("t10k-images-idx3-ubyte.gz")]
    public void Predictions_never_replace_the_data(string name)
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        Directory.CreateDirectory(data);
        foreach (var file in Directory.GetFiles(Subset, "*.gz"))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }

        var target = Path.Combine(data, name);
        var before = File.ReadAllBytes(target);
        var line = CliRunner.RunExpectingOneLineError(
            2, "lenet", "eval", "--weights", Photos.Fixture("lenet", "d2l.safetensors"), "--data", data, "--predictions", target);
        Assert.Contains("would replace the input", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(target));
    }

    [Fact]
    public void A_missing_data_folder_says_how_to_install_it()
    {
        using var folder = new TempFolder();
        var line = CliRunner.RunExpectingOneLineError(1, "lenet", "train", "--data", folder.File("nowhere"), "-o", folder.File("out"));
        Assert.Contains("apt-get install dataset-fashion-mnist", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_of_another_model_are_refused_naming_the_keys()
    {
        using var folder = new TempFolder();
        var other = folder.File("other.safetensors");
        new ConvSharp.Nn.Sequential(new ConvSharp.Nn.Conv2d(1, 6, 3)).Save(other);
        var line = CliRunner.RunExpectingOneLineError(1, "lenet", "eval", "--weights", other, "--data", Subset);
        Assert.Contains("0.weight", line, StringComparison.Ordinal);
        Assert.Contains("3.weight", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_saved_as_one_variant_are_refused_as_the_other()
    {
        using var folder = new TempFolder();
        var weights = folder.File("modern.safetensors");
        var tensors = ConvSharp.Interop.Safetensors.Load(Photos.Fixture("lenet", "modern.safetensors")).Tensors;
        ConvSharp.Interop.Safetensors.Save(weights, tensors, new Dictionary<string, string> { ["model"] = "LeNet", ["variant"] = "modern", ["format"] = "pt" });
        var line = CliRunner.RunExpectingOneLineError(2, "lenet", "eval", "--weights", weights, "--variant", "d2l", "--data", Subset);
        Assert.Contains("--variant modern", line, StringComparison.Ordinal);
        var (code, output, error) = CliRunner.Run("lenet", "eval", "--weights", weights, "--variant", "modern", "--data", Subset);
        Assert.True(code == 0, error);
        Assert.Contains("(376 of 500)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_weights_file_is_one_line_and_exit_code_1()
    {
        using var folder = new TempFolder();
        var damaged = folder.File("damaged.safetensors");
        File.WriteAllBytes(damaged, [1, 2, 3]);
        var line = CliRunner.RunExpectingOneLineError(1, "lenet", "eval", "--weights", damaged, "--data", Subset);
        Assert.Contains("damaged.safetensors", line, StringComparison.Ordinal);
    }
}
