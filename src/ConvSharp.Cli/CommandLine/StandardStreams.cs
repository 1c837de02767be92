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
    };

    public Func<bool> InputIsTerminal { get; init; } = () => false;

    public Func<bool> OutputIsTerminal { get; init; } = () => false;

    /// <summary>The streams the command line was invoked with.</summary>
    public static StandardStreams Of(ParseResult parseResult) =>
        (parseResult.InvocationConfiguration as Configuration)?.Streams ?? Process;

    /// <summary>System.CommandLine's writers for text, with the byte streams beside them.</summary>
    internal sealed class Configuration(StandardStreams streams) : InvocationConfiguration
    {
        public StandardStreams Streams { get; } = streams;
    }
}
