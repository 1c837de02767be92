namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// The files a command reads and the files it will write, declared before any work and checked
/// as they are declared: no output may be an input (compared after resolving symbolic links),
/// and no two outputs may be one file. A command that writes over its own input loses the user's
/// data, so this is refused up front, with one line naming both.
/// </summary>
internal sealed class FilePlan
{
    private readonly Dictionary<string, string> _inputs = new(RealPath.Comparer);
    private readonly Dictionary<string, string> _outputs = new(RealPath.Comparer);

    /// <summary>Declares a file the command reads.</summary>
    public void Reads(string path) => _inputs.TryAdd(RealPath.Of(path), path);

    /// <summary>
    /// Declares a file the command will write; <paramref name="option"/> names where it came from
    /// (<c>--output</c>, <c>--npy</c>, …) in the error.
    /// </summary>
    /// <exception cref="UsageException">the file is an input, or another output</exception>
    public void Writes(string path, string option)
    {
        var real = RealPath.OfOutput(path);
        if (_inputs.TryGetValue(real, out var input))
        {
            throw new UsageException(
                $"{option} {path} would replace the input {input}{(real == input ? "" : $" (both are {real})")}; write the output to another name or folder");
        }

        if (!_outputs.TryAdd(real, path))
        {
            throw new UsageException($"{option} {path} and {_outputs[real]} are the same file; the second would overwrite the first");
        }
    }
}
