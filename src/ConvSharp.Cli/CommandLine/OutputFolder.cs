using ConvSharp.Interop;

namespace ConvSharp.Cli.CommandLine;

/// <summary>Where a command writes: the folder made if need be, and the leftovers of killed runs cleared from it.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Creates <paramref name="folder"/> (and its parents) unless it exists, then removes the
    /// temporary files that runs killed while writing left there (<see cref="AtomicFile.RemoveStale"/>),
    /// and nothing else. Returns how many were removed.
    /// </summary>
    /// <exception cref="UsageException">the folder, or a folder above it, is a file</exception>
    public static int Prepare(string folder, string option, bool recursive)
    {
        var full = Create(folder, option);
        return AtomicFile.RemoveStale(full, recursive);
    }

    /// <summary>Creates <paramref name="folder"/> (and its parents) unless it exists; returns its full path.</summary>
    /// <exception cref="UsageException">the folder, or a folder above it, is a file</exception>
    public static string Create(string folder, string option)
    {
        var full = Path.GetFullPath(string.IsNullOrEmpty(folder) ? "." : folder);
        for (var probe = full; probe is not null; probe = Path.GetDirectoryName(probe))
        {
            if (File.Exists(probe))
            {
                throw new UsageException($"{option}: cannot write into {folder}: {probe} is a file, not a folder");
            }

            if (Directory.Exists(probe))
            {
                break;
            }
        }

        Directory.CreateDirectory(full);
        return full;
    }

    /// <summary>The folder a file will be written into.</summary>
    public static string Of(string file) => Path.GetDirectoryName(Path.GetFullPath(file))!;
}
