using System.Runtime.CompilerServices;

namespace ConvSharp.Cli.Tour;

/// <summary>
/// Writes the tour like a notebook: each step shows the C# that ran (captured from the source
/// by <see cref="CallerArgumentExpressionAttribute"/>, so the text cannot drift from the code)
/// followed by what it printed.
/// </summary>
internal sealed class Notebook(TextWriter output, TourFigures? figures = null)
{
    public TextWriter Output { get; } = output;

    /// <summary>Where cells leave tensors to draw, when the tour was asked for pictures.</summary>
    public TourFigures? Figures { get; } = figures;

    public void Title(string text)
    {
        Output.WriteLine();
        Output.WriteLine(text);
        Output.WriteLine(new string('=', text.Length));
    }

    public void Section(string text)
    {
        Output.WriteLine();
        Output.WriteLine($"## {text}");
        Output.WriteLine();
    }

    public void Text(string text) => Output.WriteLine(text);

    /// <summary>Runs a statement and shows its code.</summary>
    public void Run(Action statement, [CallerArgumentExpression(nameof(statement))] string code = "")
    {
        ArgumentNullException.ThrowIfNull(statement);
        WriteCode(code);
        statement();
    }

    /// <summary>Shows an expression's code and its printed value, as a notebook cell does.</summary>
    public T Show<T>(T value, [CallerArgumentExpression(nameof(value))] string code = "")
    {
        WriteCode(code);
        Output.WriteLine(Describe(value));
        return value;
    }

    /// <summary>Runs code that must fail and shows the error it raised.</summary>
    public void ShowError(Action statement, [CallerArgumentExpression(nameof(statement))] string code = "")
    {
        ArgumentNullException.ThrowIfNull(statement);
        WriteCode(code);
        try
        {
            statement();
            throw new InvalidOperationException($"the tour expected this to fail, but it did not: {code}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException && !e.Message.StartsWith("the tour expected", StringComparison.Ordinal))
        {
            Output.WriteLine($"{e.GetType().Name}: {e.Message}");
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        bool b => b ? "True" : "False",
        int[] shape => "[" + string.Join(", ", shape) + "]",
        float f => f.ToString(System.Globalization.CultureInfo.InvariantCulture),
        null => "null",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Prints code with '> ' in front, without the lambda wrapper and with the source indentation removed.</summary>
    private void WriteCode(string code)
    {
        code = code.Trim();
        if (code.StartsWith("() =>", StringComparison.Ordinal))
        {
            code = code[5..].Trim();
        }

        if (code.StartsWith('{') && code.EndsWith('}'))
        {
            code = code[1..^1];
        }

        var lines = code.Split('\n').Select(l => l.TrimEnd()).SkipWhile(string.IsNullOrWhiteSpace).Reverse()
            .SkipWhile(string.IsNullOrWhiteSpace).Reverse().ToList();
        var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        foreach (var line in lines)
        {
            Output.WriteLine("> " + (line.Length >= indent ? line[indent..] : line.TrimStart()));
        }
    }
}
