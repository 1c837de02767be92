using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Spectre.Console;

namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// Where a command writes. Its result (a listing, numbers, the chapter, an image or array for
/// <c>-o -</c>) goes to standard output: <see cref="Out"/>, <see cref="Results"/> for tables,
/// <see cref="OpenStandardOutput"/> for bytes. Everything else (progress, summaries, "wrote …",
/// warnings, errors) goes to standard error: <see cref="Error"/>, and <see cref="Console"/> for
/// live progress (Spectre.Console, animated only when stderr is a terminal). So
/// <c>convsharp rf … &gt; rf.txt</c> and <c>convsharp apply x.png -k edge -o - | …</c> hold the result alone.
/// </summary>
internal sealed class CliContext
{
    private readonly StandardStreams _streams;

    private CliContext(TextWriter output, TextWriter error, IAnsiConsole results, IAnsiConsole console, StandardStreams streams)
    {
        (Out, Error, Results, Console, _streams) = (output, error, results, console, streams);
    }

    /// <summary>Standard output, for a command's result as text.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error, for everything that is not the result.</summary>
    public TextWriter Error { get; }

    /// <summary>Tables that are a command's result, on standard output.</summary>
    public IAnsiConsole Results { get; }

    /// <summary>Live progress, on standard error.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>True when a person is watching stderr on a terminal, so progress can redraw itself in place.</summary>
    public bool Interactive => Console.Profile.Capabilities.Interactive;

    /// <summary>Standard input as bytes, for <c>-</c> as an input path.</summary>
    public Stream OpenStandardInput() => _streams.OpenInput();

    /// <summary>Standard output as bytes, for <c>-o -</c>; text already on <see cref="Out"/> goes first.</summary>
    public Stream OpenStandardOutput()
    {
        Out.Flush();
        return _streams.OpenOutput();
    }

    public bool StandardInputIsTerminal => _streams.InputIsTerminal();

    /// <summary>The file behind standard input, when there is one (see <see cref="StandardStreams.InputFile"/>).</summary>
    public string? StandardInputFile => _streams.InputFile();

    public bool StandardOutputIsTerminal => _streams.OutputIsTerminal();

    public static CliContext For(ParseResult parseResult, StandardStreams streams)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var outToTerminal = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        var errorToTerminal = ReferenceEquals(error, System.Console.Error) && !System.Console.IsErrorRedirected;
        return new CliContext(output, error, ConsoleOn(output, outToTerminal), ConsoleOn(error, errorToTerminal), streams);
    }

    /// <summary>Spectre.Console on <paramref name="writer"/>: colours and redrawing on a terminal, plain text anywhere else.</summary>
    private static IAnsiConsole ConsoleOn(TextWriter writer, bool terminal) =>
        terminal
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.Yes })
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });

    /// <summary>Exit code of a run that worked.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a bad input file or a failed run.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a mistake in the command line.</summary>
    public const int Usage = 2;

    /// <summary>
    /// Runs a command's body: a mistake in the command line becomes one line on the error stream
    /// and exit code 2; a missing or damaged input, a full disk, memory running out, one line and
    /// exit code 1. Anything else is a bug and keeps its stack trace.
    /// </summary>
    public static int Run(ParseResult parseResult, Func<CliContext, int> body)
    {
        var context = For(parseResult, StandardStreams.Of(parseResult));
        try
        {
            return body(context);
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            context.Error.WriteLine($"{CommandName(parseResult)}: error: {Describe(e)}");
            return ExitCode(e);
        }
    }

    /// <summary>The command as a user types it: <c>convsharp</c>, <c>convsharp apply</c>, <c>convsharp lenet train</c>.</summary>
    public static string CommandName(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            if (result.Command is not RootCommand)
            {
                names.Insert(0, result.Command.Name);
            }
        }

        return string.Join(" ", ["convsharp", .. names]);
    }

    /// <summary>2 for a mistake in the command line, 1 for everything else the user can act on.</summary>
    public static int ExitCode(Exception e) => Unwrap(e) is UsageException ? Usage : Failure;

    /// <summary>
    /// The message alone, with the few .NET texts that mean nothing to a user replaced: an
    /// <see cref="ArgumentException"/>'s trailing "(Parameter 'x')", out-of-memory, and a bad
    /// <c>CONVSHARP_</c> environment variable found while a type was initialised.
    /// </summary>
    public static string Describe(Exception e)
    {
        e = Unwrap(e);
        return OneLine(e switch
        {
            OutOfMemoryException =>
                "out of memory: the input is too large for the memory this process may use (see \"What ConvSharp refuses\" in the README for the memory each command needs)",
            ArgumentException { ParamName: { } name } when e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal) =>
                e.Message[..^$" (Parameter '{name}')".Length],
            _ => e.Message,
        });
    }

    /// <summary>Control characters (a newline in a quoted argument, say) written as escapes, so an error stays one line.</summary>
    public static string OneLine(string message) =>
        message.Any(char.IsControl)
            ? string.Concat(message.Select(c => c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => $"\\u{(int)c:x4}", _ => c.ToString() }))
            : message;

    public static bool IsUserFacing(Exception e) => Unwrap(e) switch
    {
        UsageException or CommandFailedException or ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
            or FormatException or JsonException or OverflowException or OutOfMemoryException => true,
        InvalidOperationException settings => settings.Message.StartsWith("CONVSHARP_", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>A settings error raised while a type was initialised (an environment variable) is reported as itself.</summary>
    private static Exception Unwrap(Exception e) => e is TypeInitializationException { InnerException: { } inner } ? Unwrap(inner) : e;
}
