using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ConvSharp.Cli.CommandLine;
using Spectre.Console;

namespace ConvSharp.Cli.Commands;

/// <summary>
/// <c>convsharp rf</c>: receptive field, jump and start of every layer of a stack. All of it is
/// the result, on stdout: the table and the summary line, or one JSON document with <c>--json</c>.
/// </summary>
internal static class RfCommand
{
    public static Command Create()
    {
        var stack = new Argument<string>("stack")
        {
            Description = "Comma-separated layers: conv<K>[x<K>][s<stride>][d<dilation>][p<padding>] (padding defaults to 'same', d·(K−1)/2) or pool<K>[s<stride>] (stride defaults to K), e.g. conv3x3,conv3x3s2,pool2,conv3x3d2",
        };
        var json = new Option<bool>("--json") { Description = "Print every layer's numbers as JSON instead of a table." };
        var command = new Command("rf", "The receptive field of a stack of layers: how many input pixels one output sees, the jump between outputs, and where the first output's field is centred.") { stack, json };
        CliHelp.Examples(
            command,
            "convsharp rf conv3x3,conv3x3,conv3x3              # three 3×3 layers see 7×7",
            "convsharp rf conv3x3,conv3x3s2,pool2,conv3x3d2    # strides, pooling and dilation",
            "convsharp rf conv5,pool2,conv5,pool2 --json       # LeNet's stack, for a script");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            IReadOnlyList<LayerSpec> layers;
            IReadOnlyList<ReceptiveFieldStep> steps;
            try
            {
                layers = ReceptiveField.Parse(parseResult.GetValue(stack)!);
                steps = ReceptiveField.Compute(layers);
            }
            catch (ArgumentException e)
            {
                // The stack is the command line's own text: a mistake in it is a usage error.
                throw new UsageException(CliContext.Describe(e));
            }

            if (parseResult.GetValue(json))
            {
                context.Out.Write(JsonText.Write(writer => Json(writer, layers, steps)));
                return 0;
            }

            var table = new Table()
                .AddColumn("layer").AddColumn(new TableColumn("kernel").RightAligned()).AddColumn(new TableColumn("stride").RightAligned())
                .AddColumn(new TableColumn("dilation").RightAligned()).AddColumn(new TableColumn("padding").RightAligned())
                .AddColumn(new TableColumn("receptive field").RightAligned()).AddColumn(new TableColumn("jump").RightAligned())
                .AddColumn(new TableColumn("start").RightAligned());
            table.AddRow("input", "", "", "", "", "1", "1", "0");
            for (var i = 0; i < layers.Count; i++)
            {
                var (layer, step) = (layers[i], steps[i]);
                table.AddRow(
                    Markup.Escape(layer.Name), Int(layer.Kernel), Int(layer.Stride), Int(layer.Dilation), Int(layer.Padding),
                    $"{Int(step.Size)}×{Int(step.Size)}", Int(step.Jump), step.Start.ToString("0.##", CultureInfo.InvariantCulture));
            }

            context.Results.Write(table);
            var last = steps[^1];
            context.Out.WriteLine(
                $"Each output of the last layer sees {last.Size}×{last.Size} input pixels; neighbouring outputs are {last.Jump} pixels apart; the first is centred at pixel {last.Start.ToString("0.##", CultureInfo.InvariantCulture)}.");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// <c>{"layers": [{"layer": "conv3x3", "kernel": 3, "stride": 1, "dilation": 1, "padding": 1,
    /// "receptive_field": 3, "jump": 1, "start": 0}, …], "receptive_field": …, "jump": …, "start": …}</c>,
    /// the last three those of the last layer.
    /// </summary>
    private static void Json(Utf8JsonWriter writer, IReadOnlyList<LayerSpec> layers, IReadOnlyList<ReceptiveFieldStep> steps)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("layers");
        for (var i = 0; i < layers.Count; i++)
        {
            var (layer, step) = (layers[i], steps[i]);
            writer.WriteStartObject();
            writer.WriteString("layer", layer.Name);
            writer.WriteNumber("kernel", layer.Kernel);
            writer.WriteNumber("stride", layer.Stride);
            writer.WriteNumber("dilation", layer.Dilation);
            writer.WriteNumber("padding", layer.Padding);
            writer.WriteNumber("receptive_field", step.Size);
            writer.WriteNumber("jump", step.Jump);
            writer.WriteNumber("start", step.Start);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("receptive_field", steps[^1].Size);
        writer.WriteNumber("jump", steps[^1].Jump);
        writer.WriteNumber("start", steps[^1].Start);
        writer.WriteEndObject();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
