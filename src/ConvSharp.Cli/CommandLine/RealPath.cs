namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// Paths with every symbolic link resolved (POSIX <c>realpath</c>, in managed code), so that two
/// spellings of one file (<c>.</c>, <c>..</c>, a link to a folder, a link to the file) compare
/// equal. Parts that do not exist yet (an output about to be written) are kept as given.
/// </summary>
internal static class RealPath
{
    /// <summary>How many links one path may pass through before it is called a loop (Linux's ELOOP limit).</summary>
    private const int MaxLinks = 40;

    /// <summary>Names compare as the file system does: ignoring case on Windows and macOS.</summary>
    public static StringComparer Comparer { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>The real path of <paramref name="path"/>, its last part included (the file an input names).</summary>
    public static string Of(string path) => Resolve(path, followLast: true);

    /// <summary>
    /// The real path of the entry an output will be written as: its folder resolved, its own name
    /// not followed. An output is written to a temporary file and renamed, and a rename replaces
    /// the name in the folder, never the file a link there points to.
    /// </summary>
    public static string OfOutput(string path) => Resolve(path, followLast: false);

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies inside it (both real paths).</summary>
    public static bool IsInside(string path, string folder)
    {
        var prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return Comparer.Equals(path, folder) || path.StartsWith(prefix, Comparer == StringComparer.Ordinal ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Walks the path a part at a time from its root: a link is replaced by its target's parts,
    /// and ".." is taken after the links before it are resolved, as the kernel does.
    /// </summary>
    private static string Resolve(string path, bool followLast)
    {
        var absolute = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var current = Path.GetPathRoot(absolute)!;
        var parts = new LinkedList<string>(Split(absolute[current.Length..]));
        var links = 0;
        while (parts.First is { } first)
        {
            parts.RemoveFirst();
            var part = first.Value;
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not { } target || (parts.Count == 0 && !followLast))
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"{path}: too many levels of symbolic links (a loop?)");
            }

            // The link's target takes its place; a relative target is read from the link's folder.
            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            foreach (var targetPart in Split(target).Reverse())
            {
                parts.AddFirst(targetPart);
            }
        }

        return current;
    }

    private static string[] Split(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
