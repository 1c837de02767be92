using ConvSharp.Cli.CommandLine;
using ConvSharp.Interop;
using ConvSharp.Nn;

namespace ConvSharp.Cli.LeNet;

/// <summary>The files <c>convsharp lenet train</c> leaves: model.safetensors, metrics.json, curves.png.</summary>
internal static class LeNetOutputs
{
    /// <summary>The files, in the order they are written.</summary>
    public static readonly string[] Names = ["model.safetensors", "metrics.json", "curves.png"];

    /// <summary>Writes the three files, each whole or not at all; everything is drawn before anything is written.</summary>
    public static void Write(string folder, Module network, LeNetVariant variant, IReadOnlyList<EpochMetrics> epochs)
    {
        var variantName = variant.ToString().ToLowerInvariant();
        var last = epochs[^1];
        var curves = TrainingCurves.Render(epochs, $"LeNet ({variantName}) on Fashion-MNIST: test acc {last.TestAccuracy:F3}");
        var metrics = MetricsJson(epochs);
        var metadata = new Dictionary<string, string> { ["model"] = "LeNet", ["variant"] = variantName, ["format"] = "pt" };
        network.Save(Path.Combine(folder, "model.safetensors"), metadata);
        AtomicFile.WriteText(Path.Combine(folder, "metrics.json"), metrics);
        AtomicFile.Write(Path.Combine(folder, "curves.png"), stream => stream.Write(curves));
    }

    /// <summary>
    /// <c>{"epochs": [{"epoch": 1, "loss": …, "train_acc": …, "test_acc": …, "seconds": …, "examples_per_s": …}, …]}</c>,
    /// written with <see cref="JsonText"/>: JsonNode's JsonArray.Add&lt;T&gt; is not NativeAOT-safe.
    /// </summary>
    public static string MetricsJson(IReadOnlyList<EpochMetrics> epochs) => JsonText.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("epochs");
        foreach (var e in epochs)
        {
            writer.WriteStartObject();
            writer.WriteNumber("epoch", e.Epoch);
            writer.WriteNumber("loss", e.Loss);
            writer.WriteNumber("train_acc", e.TrainAccuracy);
            writer.WriteNumber("test_acc", e.TestAccuracy);
            writer.WriteNumber("seconds", e.Seconds);
            writer.WriteNumber("examples_per_s", e.ExamplesPerSecond);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });
}
