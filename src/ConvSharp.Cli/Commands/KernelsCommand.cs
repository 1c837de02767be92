using System.CommandLine;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Filtering;
using ConvSharp.Cli.Learning;
using ConvSharp.Imaging;
using Spectre.Console;

namespace ConvSharp.Cli.Commands;

/// <summary><c>convsharp kernels</c>: the catalogue, one kernel's numbers, and its picture.</summary>
internal static class KernelsCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("kernel") { Description = "A kernel to show: a catalogue name such as sobel-x or gaussian:1.5, or numbers such as \"[[1,-1]]\". Leave out to list the catalogue.", Arity = ArgumentArity.ZeroOrOne };
        var png = new Option<string?>("--png") { Description = "Draw the kernel into this PNG: one square per tap, blue negative, white zero, red positive, with its value." };
        var command = new Command("kernels", "List the kernel catalogue, or show one kernel as numbers (and, with --png, as a picture).") { name, png };
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var kernelName = parseResult.GetValue(name);
            var picture = parseResult.GetValue(png);
            if (kernelName is null)
            {
                if (picture is not null)
                {
                    throw new UsageException("--png draws one kernel: name it, e.g. `convsharp kernels sobel-x --png sobel.png`");
                }

                List(context);
                return 0;
            }

            if (picture is not null && !Path.GetExtension(picture).Equals(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--png {picture}: the picture is written as PNG; give a name ending in .png");
            }

            var kernel = KernelSpec.Parse(kernelName);
            var plan = new FilePlan();
            if (picture is not null)
            {
                if (kernel.File is { } file)
                {
                    plan.Reads(file);
                }

                plan.Writes(picture, "--png");
                OutputFolder.Check(OutputFolder.Of(picture), "--png");
            }

            context.Out.WriteLine($"{kernelName}: {kernel.Weight.Shape[^2]}×{kernel.Weight.Shape[^1]}, taps sum to {LearnCommand.Format(kernel.Weight.Sum().Item())}");
            context.Out.WriteLine(kernel.Weight.ToString());
            if (picture is not null)
            {
                OutputFolder.Prepare(OutputFolder.Of(picture), "--png", recursive: false, plan);
                ImageFile.Save(LearnOutputs.KernelImage(kernel.Weight, kernelName), picture);
                context.Out.WriteLine($"wrote {picture}");
            }

            return 0;
        }));
        return command;
    }

    private static void List(CliContext context)
    {
        var table = new Table().AddColumn("name").AddColumn("size").AddColumn("what it does");
        foreach (var (name, description) in Kernels.Catalogue)
        {
            var example = name.Contains(':', StringComparison.Ordinal) ? ExampleFor(name) : name;
            var weight = Kernels.FromName(example);
            var size = $"{weight.Shape[^2]}×{weight.Shape[^1]}" + (example == name ? "" : $" ({example})");
            table.AddRow(Markup.Escape(name), Markup.Escape(size), Markup.Escape(description));
        }

        context.Console.Write(table);
        context.Out.WriteLine("Show one with `convsharp kernels NAME`, draw it with --png FILE, use it with `convsharp apply IMAGE -k NAME`.");
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
