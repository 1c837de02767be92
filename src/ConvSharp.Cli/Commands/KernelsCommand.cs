using System.CommandLine;
using System.Text.Json;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Filtering;
using ConvSharp.Cli.Learning;
using ConvSharp.Imaging;
using Spectre.Console;

namespace ConvSharp.Cli.Commands;

/// <summary>
/// <c>convsharp kernels</c>: the catalogue, one kernel's numbers, and its picture. The result on
/// stdout is the catalogue table or the kernel's numbers (as JSON with <c>--json</c>); hints and
/// "wrote …" go to stderr.
/// </summary>
internal static class KernelsCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("kernel") { Description = "A kernel to show: a catalogue name such as sobel-x or gaussian:1.5, or numbers such as \"[[1,-1]]\". Leave out to list the catalogue.", Arity = ArgumentArity.ZeroOrOne };
        var output = CliOptions.Output("Draw the kernel into this PNG (- for stdout, the numbers then going to stderr): one square per tap, blue negative, white zero, red positive, with its value.", "--png");
        var json = new Option<bool>("--json") { Description = "Print the catalogue, or the kernel's shape, sum and taps, as JSON." };
        var command = new Command("kernels", "List the kernel catalogue, or show one kernel as numbers (and, with -o, as a picture).") { name, output, json };
        CliHelp.Examples(
            command,
            "convsharp kernels                          # the catalogue",
            "convsharp kernels log:1.4 -o log.png       # one kernel's numbers, and its picture",
            "convsharp kernels sobel-x --json           # its taps as JSON, for a script");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var kernelName = parseResult.GetValue(name);
            var picture = parseResult.GetValue(output);
            if (kernelName is null)
            {
                if (picture is not null)
                {
                    throw new UsageException("--output draws one kernel: name it, e.g. `convsharp kernels sobel-x -o sobel.png`");
                }

                List(context, parseResult.GetValue(json));
                return 0;
            }

            var toStdout = picture == CliOptions.Standard;
            if (toStdout)
            {
                Staging.CheckStandardOutput(context, "--output");
            }
            else if (picture is not null && !Path.GetExtension(picture).Equals(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--output {picture}: the picture is written as PNG; give a name ending in .png");
            }

            var kernel = KernelSpec.Parse(kernelName);
            var plan = new FilePlan();
            if (picture is not null && !toStdout)
            {
                if (kernel.File is { } file)
                {
                    plan.Reads(file);
                }

                plan.Writes(picture, "--output");
                OutputFolder.Check(OutputFolder.Of(picture), "--output");
            }

            // With the picture on stdout, the numbers step aside to stderr.
            var weight = kernel.Weight;
            var numbers = toStdout ? context.Error : context.Out;
            if (parseResult.GetValue(json))
            {
                numbers.Write(JsonText.Write(writer => KernelJson(writer, kernelName, weight)));
            }
            else
            {
                numbers.WriteLine($"{kernelName}: {weight.Shape[^2]}×{weight.Shape[^1]}, taps sum to {LearnCommand.Format(weight.Sum().Item())}");
                numbers.WriteLine(weight.ToString());
            }

            if (toStdout)
            {
                using var staging = new Staging();
                ImageFile.Save(LearnOutputs.KernelImage(weight, kernelName), staging.File("kernel.png"));
                Staging.ToStandardOutput(context, staging.File("kernel.png"));
            }
            else if (picture is not null)
            {
                OutputFolder.Prepare(OutputFolder.Of(picture), "--output", recursive: false, plan);
                ImageFile.Save(LearnOutputs.KernelImage(weight, kernelName), picture);
                context.Error.WriteLine($"wrote {picture}");
            }

            return 0;
        }));
        return command;
    }

    /// <summary><c>{"name": "sobel-x", "shape": [3, 3], "sum": 0, "taps": [[-1, 0, 1], …]}</c>.</summary>
    private static void KernelJson(Utf8JsonWriter writer, string name, Tensor weight)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        JsonText.Numbers(writer, "shape", weight.Shape);
        // In double: taps near float's limit (3e38) would add up to infinity, which JSON cannot hold.
        writer.WriteNumber("sum", weight.ToArray().Sum(tap => (double)tap));
        writer.WritePropertyName("taps");
        JsonText.Tensor(writer, weight);
        writer.WriteEndObject();
    }

    private static void List(CliContext context, bool json)
    {
        var rows = Kernels.Catalogue.Select(entry =>
        {
            var example = entry.Name.Contains(':', StringComparison.Ordinal) ? ExampleFor(entry.Name) : entry.Name;
            var weight = Kernels.FromName(example);
            return (entry.Name, entry.Description, Example: example, Height: weight.Shape[^2], Width: weight.Shape[^1]);
        }).ToList();
        if (json)
        {
            // {"kernels": [{"name": "gaussian:SIGMA", "example": "gaussian:1", "shape": [7, 7], "description": …}, …]}
            context.Out.Write(JsonText.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("kernels");
                foreach (var row in rows)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", row.Name);
                    writer.WriteString("example", row.Example);
                    JsonText.Numbers(writer, "shape", [row.Height, row.Width]);
                    writer.WriteString("description", row.Description);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }));
            return;
        }

        var table = new Table().AddColumn("name").AddColumn("size").AddColumn("what it does");
        foreach (var row in rows)
        {
            var size = $"{row.Height}×{row.Width}" + (row.Example == row.Name ? "" : $" ({row.Example})");
            table.AddRow(Markup.Escape(row.Name), Markup.Escape(size), Markup.Escape(row.Description));
        }

        context.Results.Write(table);
        context.Error.WriteLine("Show one with `convsharp kernels NAME`, draw it with -o FILE.png, use it with `convsharp apply IMAGE -k NAME`.");
    }

    private static string ExampleFor(string name) => name.Split(':')[0] switch
    {
        "gaussian" => "gaussian:1",
        "log" => "log:1.4",
        "box" => "box:3",
        "derivative" => "derivative:2",
        var other => other + ":1",
    };
}
