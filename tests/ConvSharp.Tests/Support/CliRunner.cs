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
}
