using System.CommandLine;

namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// The bytes behind <c>-</c>: standard input for an input path, standard output for <c>-o -</c>.
/// The process's own by default; a test passes its streams through <see cref="CliApp.Run"/>.
/// </summary>
internal sealed record StandardStreams(Func<Stream> OpenInput, Func<Stream> OpenOutput)
{
    /// <summary>The process's own; a terminal on either end is refused for bytes.</summary>
    public static StandardStreams Process { get; } = new(Console.OpenStandardInput, Console.OpenStandardOutput)
    {
        InputIsTerminal = () => !Console.IsInputRedirected,
        OutputIsTerminal = () => !Console.IsOutputRedirected,
        InputFile = ProcessInputFile,
    };

    public Func<bool> InputIsTerminal { get; init; } = () => false;

    public Func<bool> OutputIsTerminal { get; init; } = () => false;

    /// <summary>
    /// A path to the file behind standard input when the shell opened one (<c>&lt; photo.png</c>),
    /// so that no output may replace it; null for a pipe, a terminal, or a test's stream.
    /// </summary>
    public Func<string?> InputFile { get; init; } = () => null;

    // On Linux /proc/self/fd/0 leads to the file itself: stat gives its device and inode. A pipe is no file to protect.
    private static string? ProcessInputFile()
    {
        const string path = "/proc/self/fd/0";
        return OperatingSystem.IsLinux() && Console.IsInputRedirected && Interop.FileStat.IsRegular(path) == true ? path : null;
    }

    /// <summary>The streams the command line was invoked with.</summary>
    public static StandardStreams Of(ParseResult parseResult) =>
        (parseResult.InvocationConfiguration as Configuration)?.Streams ?? Process;

    /// <summary>System.CommandLine's writers for text, with the byte streams beside them.</summary>
    internal sealed class Configuration(StandardStreams streams) : InvocationConfiguration
    {
        public StandardStreams Streams { get; } = streams;
    }
}
