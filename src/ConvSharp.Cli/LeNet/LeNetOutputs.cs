using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary><c>{"epochs": [{"epoch": 1, "loss": …, "train_acc": …, "test_acc": …, "seconds": …, "examples_per_s": …}, …]}</c>.</summary>
    public static string MetricsJson(IReadOnlyList<EpochMetrics> epochs)
    {
        var list = new JsonArray();
        foreach (var e in epochs)
        {
            list.Add((JsonNode)new JsonObject // JsonNode: Add(JsonNode?), not the generic Add<T>, which NativeAOT cannot take
            {
                ["epoch"] = e.Epoch,
                ["loss"] = e.Loss,
                ["train_acc"] = e.TrainAccuracy,
                ["test_acc"] = e.TestAccuracy,
                ["seconds"] = e.Seconds,
                ["examples_per_s"] = e.ExamplesPerSecond,
            });
        }

        return new JsonObject { ["epochs"] = list }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
