using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;
using ConvSharp.Imaging.Pictures;
using ConvSharp.Interop;

namespace ConvSharp.Cli.Learning;

/// <summary>The files <c>convsharp learn</c> leaves: kernel.npy, kernel.json, loss.png, kernel.png.</summary>
internal static class LearnOutputs
{
    /// <summary>The files, in the order they are written.</summary>
    public static readonly string[] Names = ["kernel.npy", "kernel.json", "loss.png", "kernel.png"];

    public static void Write(string folder, FilePlan plan, FitResult result, FitOptions options, string input, string target)
    {
        // Everything is drawn before anything is written: a picture that cannot be made leaves no half set of files.
        var size = $"{options.KernelHeight}×{options.KernelWidth}";
        var final = result.Losses[^1].ToString("G3", CultureInfo.InvariantCulture);
        var plot = LossPlot.Render(result.Losses, $"learning a {size} kernel: final loss {final}");
        var picture = KernelImage(result.Kernel, $"learned {size} kernel");
        var json = Json(result, options, input, target);
        OutputFolder.Prepare(folder, "--out", recursive: false, plan);
        result.Kernel.SaveNpy(Path.Combine(folder, "kernel.npy"));
        AtomicFile.WriteText(Path.Combine(folder, "kernel.json"), json);
        AtomicFile.Write(Path.Combine(folder, "loss.png"), stream => stream.Write(plot));
        ImageFile.Save(picture, Path.Combine(folder, "kernel.png"));
    }

    /// <summary>One kernel drawn with its values; several as a grid of signed maps.</summary>
    public static Tensor KernelImage(Tensor kernel, string title)
    {
        if (kernel.Rank == 2)
        {
            return KernelPicture.Render(kernel, title);
        }

        var full = kernel.Rank == 3 ? kernel.Unsqueeze(1) : kernel;
        var tiles = new List<GridTile>();
        for (var o = 0; o < full.Shape[0]; o++)
        {
            for (var c = 0; c < full.Shape[1]; c++)
            {
                var label = kernel.Rank == 3 ? $"channel {o}" : $"in {c} → out {o}";
                tiles.Add(new GridTile(label, Display.Map(full[o, c], DisplayMap.Signed, saturate: 0)));
            }
        }

        return ImageGrid.Render(tiles, columns: full.Shape[1] == 1 ? 0 : full.Shape[1], cellSize: 128, title: title + " (blue −, white 0, red +)");
    }

    private static string Json(FitResult result, FitOptions options, string input, string target)
    {
        var document = new JsonObject
        {
            ["kernel"] = Nested(result.Kernel),
            ["bias"] = result.Bias.NumElements == 1 && options.Sharing == ChannelSharing.Shared
                ? JsonValue.Create(result.Bias.Item())
                : new JsonArray([.. result.Bias.ToArray().Select(b => (JsonNode?)JsonValue.Create(b))]),
            ["size"] = new JsonArray(options.KernelHeight, options.KernelWidth),
            ["channels"] = options.Sharing.ToString().ToLowerInvariant(),
            ["fit"] = options.Padding is null ? "interior (border-independent pixels)" : $"padding {options.Padding}, mode {options.Mode.ToString().ToLowerInvariant()}",
            ["optimizer"] = options.Optimizer.ToString().ToLowerInvariant(),
            ["learning_rate"] = result.LearningRate,
            ["epochs"] = result.Losses.Count,
            ["final_loss"] = result.Losses[^1],
            ["fitted_values"] = result.FittedPixels,
            ["input"] = input,
            ["target"] = target,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonArray Nested(Tensor tensor)
    {
        if (tensor.Rank == 1)
        {
            return new JsonArray([.. tensor.ToArray().Select(v => (JsonNode?)JsonValue.Create(v))]);
        }

        var array = new JsonArray();
        for (var i = 0; i < tensor.Shape[0]; i++)
        {
            array.Add((JsonNode)Nested(tensor[i])); // JsonNode: Add(JsonNode?), not the generic Add<T>, which NativeAOT cannot take
        }

        return array;
    }
}
