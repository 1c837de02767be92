using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// <c>--help</c>: System.CommandLine's own text, with the command called <c>convsharp</c> in its
/// usage lines whatever the executable file is named (<c>ConvSharp.Cli</c> when built, <c>testhost</c>
/// in tests), and the command's examples after it. System.CommandLine 2.0 has no examples section,
/// and its HelpBuilder is internal, so its text is taken whole and added to.
/// </summary>
internal sealed class CliHelp(HelpAction standard) : SynchronousCommandLineAction
{
    private static readonly ConditionalWeakTable<Command, string[]> ExamplesOf = [];

    /// <summary>Help must be shown even where the rest of the command line has mistakes (a required option left out).</summary>
    public override bool ClearsParseErrors => true;

    /// <summary>Replaces the help option's action on <paramref name="root"/> (the option is recursive: one serves every command).</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new CliHelp((HelpAction)help.Action!);
    }

    /// <summary>Command lines shown under "Examples:" in <paramref name="command"/>'s help, each with a short comment.</summary>
    public static void Examples(Command command, params string[] lines) => ExamplesOf.AddOrUpdate(command, lines);

    public override int Invoke(ParseResult parseResult)
    {
        var configuration = parseResult.InvocationConfiguration;
        var output = configuration.Output;
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        configuration.Output = text;
        try
        {
            standard.Invoke(parseResult);
        }
        finally
        {
            configuration.Output = output;
        }

        var executable = new Regex($"^  {Regex.Escape(RootCommand.ExecutableName)}(?= |$)", RegexOptions.Multiline);
        output.Write(executable.Replace(text.ToString(), "  convsharp"));
        if (ExamplesOf.TryGetValue(parseResult.CommandResult.Command, out var examples))
        {
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine($"  {example}");
            }

            output.WriteLine();
        }

        return 0;
    }
}
