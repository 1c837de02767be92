using System.Text;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>The images under a folder, in a fixed order, optionally one shard of them.</summary>
internal static class FolderScan
{
    /// <summary>
    /// Every file under <paramref name="root"/> (recursively) with an image extension, as paths
    /// relative to it, sorted; <paramref name="others"/> counts the files that are not images.
    /// Files under <paramref name="exclude"/> (an output folder inside the input) are left out.
    /// </summary>
    public static List<string> Images(string root, string? exclude, out int others)
    {
        var excluded = exclude is null ? null : Path.GetFullPath(exclude).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var images = new List<string>();
        others = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None };
        foreach (var path in Directory.EnumerateFiles(root, "*", options))
        {
            if (excluded is not null && Path.GetFullPath(path).StartsWith(excluded, StringComparison.Ordinal))
            {
                continue;
            }

            if (ImageFile.ReadableExtensions.Contains(Path.GetExtension(path)))
            {
                images.Add(Path.GetRelativePath(root, path));
            }
            else
            {
                others++;
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
