using System.CommandLine;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Tour;

namespace ConvSharp.Cli.Commands;

/// <summary><c>convsharp tour</c>: the chapter, step by step, with the book's outputs. The chapter is the result (stdout); "wrote …" goes to stderr.</summary>
internal static class TourCommand
{
    public static Command Create()
    {
        var output = CliOptions.Output(
            "Also draw the chapter's pictures into this folder: the 6×8 image and its edges, the learned kernel, the diagonal-edge exercise, and the Laplacian and box filters on a photograph.",
            "--out").Folder();
        var command = new Command("tour", "Walk the \"Convolutions for Images\" chapter step by step, printing what the book prints.") { output };
        CliHelp.Examples(
            command,
            "convsharp tour                    # the chapter, printed",
            "convsharp tour -o pictures/       # and its pictures, drawn into pictures/",
            "convsharp tour | less             # page through it");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var folder = parseResult.GetValue(output);
            if (folder is not null)
            {
                OutputFolder.Check(folder, "--output");
            }

            var figures = folder is null ? null : new TourFigures();
            ChapterTour.Run(context.Out, figures);
            if (figures is not null)
            {
                PhotoFigures.Add(figures);
                foreach (var path in figures.Write(folder!))
                {
                    context.Error.WriteLine($"wrote {path}");
                }
            }

            return 0;
        }));
        return command;
    }
}
