using System.CommandLine;
using System.Globalization;
using ConvSharp.Cli.CommandLine;
using Spectre.Console;

namespace ConvSharp.Cli.Commands;

/// <summary><c>convsharp rf</c>: receptive field, jump and start of every layer of a stack.</summary>
internal static class RfCommand
{
    public static Command Create()
    {
        var stack = new Argument<string>("stack")
        {
            Description = "Comma-separated layers: conv<K>[x<K>][s<stride>][d<dilation>][p<padding>] (padding defaults to 'same', d·(K−1)/2) or pool<K>[s<stride>] (stride defaults to K), e.g. conv3x3,conv3x3s2,pool2,conv3x3d2",
        };
        var command = new Command("rf", "The receptive field of a stack of layers: how many input pixels one output sees, the jump between outputs, and where the first output's field is centred.") { stack };
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

            context.Console.Write(table);
            var last = steps[^1];
            context.Out.WriteLine(
                $"Each output of the last layer sees {last.Size}×{last.Size} input pixels; neighbouring outputs are {last.Jump} pixels apart; the first is centred at pixel {last.Start.ToString("0.##", CultureInfo.InvariantCulture)}.");
            return 0;
        }));
        return command;
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
