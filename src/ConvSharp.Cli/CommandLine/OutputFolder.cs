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
        Probe(full, folder, option);
        return AtomicFile.RemoveStale(full, recursive, plan is null ? null : plan.IsInput);
    }

    /// <summary>Creates <paramref name="folder"/> (and its parents) unless it exists; returns its full path.</summary>
    /// <exception cref="UsageException">the folder, or a folder above it, is a file</exception>
    public static string Create(string folder, string option)
    {
        var full = Path.GetFullPath(string.IsNullOrEmpty(folder) ? "." : folder);
        for (var probe = full; probe is not null; probe = Path.GetDirectoryName(probe))
        {
            if (Directory.Exists(probe))
            {
                break;
            }

            NotAFolder(probe, folder, option);
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
            NotAFolder(probe, folder, option);
            probe = Path.GetDirectoryName(probe) ?? throw new IOException($"{option}: cannot write into {folder}: no folder above it exists");
        }

        Probe(probe, folder, option);
    }

    /// <summary>Refuses <paramref name="probe"/>, which is not a folder, if something is there: a file, or a link that leads nowhere.</summary>
    private static void NotAFolder(string probe, string folder, string option)
    {
        if (File.Exists(probe))
        {
            throw new UsageException($"{option}: cannot write into {folder}: {probe} is a file, not a folder");
        }

        if (new FileInfo(probe).LinkTarget is not null)
        {
            throw new UsageException($"{option}: cannot write into {folder}: {probe} is a symbolic link that leads nowhere (or round a loop)");
        }
    }

    /// <summary>Makes and removes one temporary file in <paramref name="existing"/>: only the right to write there is tested.</summary>
    private static void Probe(string existing, string folder, string option)
    {
        try
        {
            using (AtomicFile.Create(Path.Combine(existing, "write-check")))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = (e.InnerException ?? e) is UnauthorizedAccessException ? "permission denied" : (e.InnerException ?? e).Message;
            throw new IOException($"{option}: cannot write into {folder}: {reason}", e);
        }
    }

    /// <summary>The folder a file will be written into.</summary>
    public static string Of(string file) => Path.GetDirectoryName(Path.GetFullPath(file))!;

    /// <summary>Whether an output path means a folder: one that exists, or a name that ends in a separator.</summary>
    public static bool IsFolderTarget(string target) =>
        Directory.Exists(target) || target.EndsWith('/') || target.EndsWith(Path.DirectorySeparatorChar);
}
