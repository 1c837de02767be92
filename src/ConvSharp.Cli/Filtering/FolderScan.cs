using System.Text;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>The images under a folder, in a fixed order, optionally one shard of them.</summary>
internal static class FolderScan
{
    /// <summary>
    /// Every file under <paramref name="root"/> (recursively) with an image extension, as paths
    /// relative to it, sorted. Symbolic links are followed, to files and to folders, but each real
    /// folder is read once: a link back up the tree (a loop) or a second link to a folder already
    /// read is passed over and counted in <paramref name="skippedFolders"/>. Folders whose real
    /// path lies under <paramref name="exclude"/> (an output folder inside the input) are left out.
    /// <paramref name="others"/> counts the files that are not images. A folder that cannot be
    /// read, or a name that is not valid UTF-8 (which .NET cannot open again), goes into
    /// <paramref name="problems"/> and the scan goes on.
    /// </summary>
    public static List<string> Images(string root, string? exclude, out int others, out int skippedFolders, out List<(string Path, string Message)> problems)
    {
        problems = [];
        // Only an output folder inside the input is left out; an input inside the output is read whole.
        var excluded = exclude is null ? null : RealPath.Of(exclude);
        if (excluded is not null && !RealPath.IsInside(excluded, RealPath.Of(root)))
        {
            excluded = null;
        }

        var images = new List<string>();
        var visited = new HashSet<string>(RealPath.Comparer);
        var pending = new Stack<string>();
        (others, skippedFolders) = (0, 0);
        pending.Push(root);
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None };
        while (pending.TryPop(out var folder))
        {
            var real = RealPath.Of(folder);
            if (excluded is not null && RealPath.IsInside(real, excluded))
            {
                continue;
            }

            if (!visited.Add(real))
            {
                skippedFolders++;
                continue;
            }

            string[] files, folders;
            try
            {
                files = Directory.GetFiles(folder, "*", options);
                folders = Directory.GetDirectories(folder, "*", options);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add((folder, $"the folder cannot be read: {e.Message}"));
                continue;
            }

            foreach (var path in files)
            {
                if (!ImageFile.ReadableExtensions.Contains(Path.GetExtension(path)))
                {
                    others++;
                }
                else if (path.Contains('\uFFFD', StringComparison.Ordinal))
                {
                    problems.Add((path, "the name is not valid UTF-8, so it cannot be opened by name; rename it"));
                }
                else
                {
                    images.Add(Path.GetRelativePath(root, path));
                }
            }

            foreach (var sub in folders)
            {
                if (sub.Contains('\uFFFD', StringComparison.Ordinal))
                {
                    problems.Add((sub, "the folder's name is not valid UTF-8, so it cannot be opened by name; rename it"));
                    continue;
                }

                pending.Push(sub);
            }
        }

        images.Sort(StringComparer.Ordinal);
        return images;
    }

    /// <summary>
    /// Whether a file belongs to shard <paramref name="index"/> of <paramref name="count"/> (1-based).
    /// The choice hashes the relative path (FNV-1a), so it is the same on every machine and a
    /// file stays in its shard when others are added or removed.
    /// </summary>
    public static bool InShard(string relativePath, int index, int count)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(relativePath.Replace('\\', '/')))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (int)(hash % (ulong)count) == index - 1;
    }
}
