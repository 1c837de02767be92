using System.CommandLine;
using System.CommandLine.Parsing;

namespace ConvSharp.Cli.CommandLine;

/// <summary>Options every command spells one way: <c>-o/--output</c> for what it writes, and paths that may not be empty.</summary>
internal static class CliOptions
{
    /// <summary>The path a file or stream stands for: <c>-</c> is standard input or output.</summary>
    public const string Standard = "-";

    /// <summary>
    /// <c>-o/--output</c>. <paramref name="oldSpellings"/> (<c>--out</c>, <c>--png</c>) keep working
    /// for existing scripts; System.CommandLine lists every alias in help, so they show there too.
    /// </summary>
    public static Option<string?> Output(string description, params string[] oldSpellings) =>
        new Option<string?>("--output", ["-o", .. oldSpellings]) { Description = description }.NotEmpty();

    /// <summary>An output that is a folder of files: <c>-</c> (standard output) is refused at parse time, naming the option.</summary>
    public static Option<string?> Folder(this Option<string?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(token => token.Value == Standard))
            {
                result.AddError($"{result.IdentifierToken?.Value ?? option.Name} - would be standard output, but this command writes a folder of files: name a folder");
            }
        });
        return option;
    }

    /// <summary>Refuses <c>""</c> at parse time with one line naming the option (.NET's own words name nothing).</summary>
    public static Option<T> NotEmpty<T>(this Option<T> option)
    {
        option.Validators.Add(result => Refuse(result, result.IdentifierToken?.Value ?? option.Name));
        return option;
    }

    /// <summary>Refuses <c>""</c> as any of the argument's values, with one line naming it.</summary>
    public static Argument<T> NotEmpty<T>(this Argument<T> argument)
    {
        argument.Validators.Add(result => Refuse(result, $"<{argument.Name}>"));
        return argument;
    }

    private static void Refuse(SymbolResult result, string name)
    {
        if (result.Tokens.Any(token => token.Value.Length == 0))
        {
            result.AddError($"{name} must be a path, but got an empty string");
        }
    }
}
