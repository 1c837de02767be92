using System.CommandLine;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Tour;

namespace ConvSharp.Cli.Commands;

/// <summary><c>convsharp tour</c>: the chapter, step by step, with the book's outputs.</summary>
internal static class TourCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "Also draw the chapter's pictures into this folder: the 6×8 image and its edges, the learned kernel, the diagonal-edge exercise, and the Laplacian and box filters on a photograph." };
        var command = new Command("tour", "Walk the \"Convolutions for Images\" chapter step by step, printing what the book prints.") { output };
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var folder = parseResult.GetValue(output);
            if (folder is not null)
            {
                OutputFolder.Check(folder, "--out");
            }

            var figures = folder is null ? null : new TourFigures();
            ChapterTour.Run(context.Out, figures);
            if (figures is not null)
            {
                PhotoFigures.Add(figures);
                context.Out.WriteLine();
                foreach (var path in figures.Write(folder!))
                {
                    context.Out.WriteLine($"wrote {path}");
                }
            }

            return 0;
        }));
        return command;
    }
}
