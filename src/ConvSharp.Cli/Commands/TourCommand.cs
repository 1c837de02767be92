using System.CommandLine;
using ConvSharp.Cli.Tour;

namespace ConvSharp.Cli.Commands;

/// <summary><c>convsharp tour</c>: the chapter, step by step, with the book's outputs.</summary>
internal static class TourCommand
{
    public static Command Create()
    {
        var command = new Command("tour", "Walk the \"Convolutions for Images\" chapter step by step, printing what the book prints.");
        command.SetAction(_ =>
        {
            ChapterTour.Run(Console.Out);
            return 0;
        });
        return command;
    }
}
