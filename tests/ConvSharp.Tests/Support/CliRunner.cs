using System.Globalization;
using ConvSharp.Cli;

namespace ConvSharp.Tests.Support;

/// <summary>Runs the real <c>convsharp</c> command tree (System.CommandLine parsing included) with captured output.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs with <paramref name="input"/> as standard input's bytes; returns standard output's text
    /// and bytes apart (in a process they share one stream, so a command writing bytes must leave the text empty).
    /// </summary>
    public static (int Code, string Out, byte[] Bytes, string Error) RunPiped(byte[] input, params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        using var stdin = new MemoryStream(input);
        using var stdout = new MemoryStream();
        var code = CliApp.Run(args, output, error, new Cli.CommandLine.StandardStreams(() => stdin, () => stdout));
        return (code, output.ToString(), stdout.ToArray(), error.ToString());
    }

    /// <summary>
    /// Runs a command line that must be refused: exit code <paramref name="code"/> (2 for a
    /// mistake in the command line, found before any work and so with nothing on stdout; 1 for
    /// a bad input or a failed run), and one line on stderr starting "convsharp COMMAND: error: ".
    /// Returns that line.
    /// </summary>
    public static string RunExpectingOneLineError(int code, params string[] args)
    {
        var (actual, output, error) = Run(args);
        Assert.True(code == actual, $"convsharp {string.Join(" ", args)}: exit code {actual}, expected {code}; stderr: {error}");
        if (code == 2)
        {
            Assert.Equal("", output);
        }

        var lines = error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Matches($"^convsharp {System.Text.RegularExpressions.Regex.Escape(args[0])}( [a-z]+)?: error: ", lines[0]);
        return lines[0];
    }
}
