using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// Where a command writes: plain text to <see cref="Out"/>, errors to <see cref="Error"/>, and live
/// progress and tables to <see cref="Console"/> (Spectre.Console, animated only on a terminal).
/// </summary>
internal sealed class CliContext
{
    private CliContext(TextWriter output, TextWriter error, IAnsiConsole console)
    {
        (Out, Error, Console) = (output, error, console);
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public IAnsiConsole Console { get; }

    /// <summary>True when a person is watching a terminal, so progress can redraw itself in place.</summary>
    public bool Interactive => Console.Profile.Capabilities.Interactive;

    public static CliContext For(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var toTerminal = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = toTerminal
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
        return new CliContext(output, error, console);
    }

    /// <summary>
    /// Runs a command's body: a mistake in the input (a missing or damaged file, a malformed
    /// argument) becomes one line on the error stream and exit code 1; anything else is a bug and
    /// keeps its stack trace.
    /// </summary>
    public static int Run(ParseResult parseResult, Func<CliContext, int> body)
    {
        var context = For(parseResult);
        try
        {
            return body(context);
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            context.Error.WriteLine($"convsharp {parseResult.CommandResult.Command.Name}: error: {Describe(e)}");
            return 1;
        }
    }

    /// <summary>The message alone: an <see cref="ArgumentException"/>'s trailing "(Parameter 'x')" means nothing to a user.</summary>
    public static string Describe(Exception e) =>
        e is ArgumentException { ParamName: { } name } && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? e.Message[..^$" (Parameter '{name}')".Length]
            : e.Message;

    public static bool IsUserFacing(Exception e) => e is UsageException or ArgumentException or InvalidDataException
        or IOException or UnauthorizedAccessException or FormatException or JsonException or OverflowException;
}
