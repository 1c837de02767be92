namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// <c>-</c> as a file, through a private temporary folder deleted afterwards. Standard input is
/// copied to a file first, because the commands read an image's header before they decide to
/// decode it. An output for standard output is written to a file first and copied out whole
/// once it is complete, so a run that fails puts nothing on stdout, never part of a picture.
/// </summary>
internal sealed class Staging : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("convsharp-");

    /// <summary>A path in the private folder.</summary>
    public string File(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>Copies standard input into <see cref="File"/>(<paramref name="name"/>) and returns its path.</summary>
    /// <exception cref="UsageException">standard input is a terminal: nothing was piped in</exception>
    public string FromStandardInput(CliContext context, string option, string name)
    {
        if (context.StandardInputIsTerminal)
        {
            throw new UsageException($"{option} - reads standard input, but it is a terminal: pipe a file in, e.g. `< photo.png`");
        }

        var path = File(name);
        using var input = context.OpenStandardInput();
        using var file = System.IO.File.Create(path);
        input.CopyTo(file);
        return path;
    }

    /// <summary>Copies the finished file <paramref name="path"/> to standard output.</summary>
    public static void ToStandardOutput(CliContext context, string path)
    {
        using var file = System.IO.File.OpenRead(path);
        var output = context.OpenStandardOutput();
        file.CopyTo(output);
        output.Flush();
    }

    /// <summary>Refuses <c>-o -</c> when standard output is a terminal: bytes of a picture there help no one.</summary>
    public static void CheckStandardOutput(CliContext context, string option)
    {
        if (context.StandardOutputIsTerminal)
        {
            throw new UsageException($"{option} - writes binary data to standard output, which is a terminal: pipe it on or redirect it to a file");
        }
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
