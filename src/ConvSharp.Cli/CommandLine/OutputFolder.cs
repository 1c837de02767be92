using ConvSharp.Interop;

namespace ConvSharp.Cli.CommandLine;

/// <summary>Where a command writes: the folder made if need be, and the leftovers of killed runs cleared from it.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Creates <paramref name="folder"/> (and its parents) unless it exists, then removes the
    /// temporary files that runs killed while writing left there (<see cref="AtomicFile.RemoveStale"/>),
    /// and nothing else: never one of the run's own inputs, whatever its name. Returns how many were removed.
    /// </summary>
    /// <exception cref="UsageException">the folder, or a folder above it, is a file</exception>
    public static int Prepare(string folder, string option, bool recursive, FilePlan? plan = null)
    {
        var full = Create(folder, option);
        return AtomicFile.RemoveStale(full, recursive, plan is null ? null : plan.IsInput);
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

    /// <summary>
    /// Before any work: whether files can be written into <paramref name="folder"/> (made if
    /// need be), found by making and removing one temporary file in it, or in the nearest folder
    /// above it that exists. Nothing is created that outlives the check.
    /// </summary>
    /// <exception cref="UsageException">the folder, or a folder above it, is a file</exception>
    /// <exception cref="IOException">no file can be made there</exception>
    public static void Check(string folder, string option)
    {
        var full = Path.GetFullPath(string.IsNullOrEmpty(folder) ? "." : folder);
        var probe = full;
        while (!Directory.Exists(probe))
        {
            if (File.Exists(probe))
            {
                throw new UsageException($"{option}: cannot write into {folder}: {probe} is a file, not a folder");
            }

            probe = Path.GetDirectoryName(probe) ?? throw new IOException($"{option}: cannot write into {folder}: no folder above it exists");
        }

        using (AtomicFile.Create(Path.Combine(probe, "write-check")))
        {
            // Made and, undisposed of a commit, removed again: only the right to write is tested.
        }
    }

    /// <summary>The folder a file will be written into.</summary>
    public static string Of(string file) => Path.GetDirectoryName(Path.GetFullPath(file))!;
}
