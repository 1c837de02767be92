using System.CommandLine;
using System.Globalization;
using ConvSharp.Cli.Commands;

namespace ConvSharp.Cli;

/// <summary>The <c>convsharp</c> command tree.</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("ConvSharp: 2D convolution in pure C#, after Dive into Deep Learning's \"Convolutions for Images\".");
        root.Subcommands.Add(TourCommand.Create());
        root.Subcommands.Add(ApplyCommand.Create());
        root.Subcommands.Add(LearnCommand.Create());
        root.Subcommands.Add(KernelsCommand.Create());
        root.Subcommands.Add(RfCommand.Create());
        return root;
    }

    /// <summary>Parses and runs a command line; tests pass their own writers.</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        // Numbers print the same on every machine: 0.5, not 0,5.
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
        }

        if (error is not null)
        {
            configuration.Error = error;
        }

        return Build().Parse(args).Invoke(configuration);
    }
}
