using ConvSharp.Interop;

namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// The files a command reads and the files it will write, declared before any work and checked
/// as they are declared. No output may be an input: not by its path, not by the file a link at
/// that path points to, not by the file itself reached another way (a hard link, a second mount
/// of the folder: <see cref="FileStat"/>). No two outputs may be one file, and no output may
/// need a folder where another output is a file. A command that writes over its own input loses
/// the user's data, so this is refused up front, with one line naming both.
/// </summary>
internal sealed class FilePlan
{
    private readonly Dictionary<string, string> _inputs = new(RealPath.Comparer);
    private readonly Dictionary<(ulong, ulong), string> _inputFiles = [];
    private readonly Dictionary<string, string> _outputs = new(RealPath.Comparer);
    private readonly Dictionary<string, string> _outputEntries = new(RealPath.Comparer);
    private readonly HashSet<string> _outputFolders = new(RealPath.Comparer);

    /// <summary>Declares a file the command reads.</summary>
    public void Reads(string path)
    {
        _inputs.TryAdd(RealPath.Of(path), path);
        _inputs.TryAdd(RealPath.OfOutput(path), path);
        if (FileStat.Identity(path) is { } identity)
        {
            _inputFiles.TryAdd(identity, path);
        }
    }

    /// <summary>Whether <paramref name="path"/> is one of the declared inputs.</summary>
    public bool IsInput(string path) =>
        _inputs.ContainsKey(RealPath.Of(path)) || (FileStat.Identity(path) is { } identity && _inputFiles.ContainsKey(identity));

    /// <summary>
    /// Declares a file the command will write; <paramref name="option"/> names where it came from
    /// (<c>--output</c>, <c>--npy</c>, …) and <paramref name="source"/> the input it is made from, in errors.
    /// </summary>
    /// <exception cref="UsageException">the file is an input, a folder, or another output</exception>
    public void Writes(string path, string option, string? source = null)
    {
        var entry = RealPath.OfOutput(path);
        var target = RealPath.Of(path);
        if (_inputs.TryGetValue(entry, out var input) || _inputs.TryGetValue(target, out input)
            || (FileStat.Identity(path) is { } identity && _inputFiles.TryGetValue(identity, out input)))
        {
            throw new UsageException(
                $"{option} {path} would replace the input {input}{(RealPath.Comparer.Equals(target, input) ? "" : $" (the same file: {target})")}; write the output to another name or folder");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"{option} {path} is a folder; it cannot be written as a file{Of(source)}");
        }

        var key = Key(entry);
        if (_outputs.TryGetValue(key, out var other) || _outputFolders.Contains(entry))
        {
            throw new UsageException(
                other is null
                    ? $"{option} {path}{Of(source)} would be a file where other outputs need a folder"
                    : $"{option} {path}{Of(source)} would overwrite {other}: two outputs of this run are one file");
        }

        for (var folder = Path.GetDirectoryName(entry); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (_outputEntries.TryGetValue(folder, out var file))
            {
                throw new UsageException($"{option} {path}{Of(source)} needs a folder where the output {file} would be a file");
            }

            _outputFolders.Add(folder);
        }

        _outputs.Add(key, source is null ? path : $"{path} (from {source})");
        _outputEntries.TryAdd(entry, path);
    }

    /// <summary>
    /// Where an output will be, as the file system knows it: its nearest existing folder by
    /// identity (so two mounts of one folder give one key), then the names below it.
    /// </summary>
    private static string Key(string entry)
    {
        var (folder, rest) = (entry, "");
        while (!Directory.Exists(folder) && Path.GetDirectoryName(folder) is { } parent)
        {
            (folder, rest) = (parent, Path.Combine(Path.GetFileName(folder), rest));
        }

        return FileStat.Identity(folder) is { } identity ? $"{identity.Device}:{identity.Inode}{Path.DirectorySeparatorChar}{rest}" : entry;
    }

    private static string Of(string? source) => source is null ? "" : $" (from {source})";
}
