using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Commands;

namespace ConvSharp.Cli;

/// <summary>The <c>convsharp</c> command tree.</summary>
internal static partial class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("ConvSharp: 2D convolution in pure C#, after Dive into Deep Learning's \"Convolutions for Images\".");
        root.Subcommands.Add(TourCommand.Create());
        root.Subcommands.Add(ApplyCommand.Create());
        root.Subcommands.Add(LearnCommand.Create());
        root.Subcommands.Add(KernelsCommand.Create());
        root.Subcommands.Add(RfCommand.Create());
        root.Subcommands.Add(LenetCommand.Create());
        CliHelp.Install(root);
        return root;
    }

    /// <summary>
    /// Parses and runs a command line; tests pass their own writers, and the byte streams behind
    /// <c>-</c>. A command line that does not parse gets one line on the error stream, naming the
    /// command and pointing to its help, and exit code 2, with nothing on the output stream
    /// (System.CommandLine's own answer prints the whole help to stdout).
    /// </summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null, StandardStreams? streams = null)
    {
        // Numbers print the same on every machine: 0.5, not 0,5.
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var configuration = new StandardStreams.Configuration(streams ?? StandardStreams.Process);
        if (output is not null)
        {
            configuration.Output = output;
        }

        if (error is not null)
        {
            configuration.Error = error;
        }

        var parseResult = Build().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var command = CliContext.CommandName(parseResult);
            // System.CommandLine lists allowed values on lines of their own: one line here.
            var messages = CliContext.OneLine(Lines().Replace(string.Join(" ", parseResult.Errors.Select(e => e.Message.TrimEnd('.') + ".")), " "));
            configuration.Error.WriteLine($"{command}: error: {messages} See '{command} --help'.");
            return CliContext.Usage;
        }

        return parseResult.Invoke(configuration);
    }

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex Lines();
}
