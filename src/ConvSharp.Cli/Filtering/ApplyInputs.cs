using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// The images one run of <c>convsharp apply</c> filters into an output folder, gathered before any
/// work from the files and folders on its command line (a shell glob such as <c>in/*.png</c> is
/// many files). Each image has a name in the output folder: a file named directly keeps its file
/// name, a file found in a folder its path below that folder.
/// </summary>
internal sealed class ApplyInputs
{
    private ApplyInputs(List<(string Path, string Name)> images, int others, int skippedFolders, List<(string Path, string Message)> problems)
    {
        (Images, Others, SkippedFolders, Problems) = (images, others, skippedFolders, problems);
    }

    /// <summary>Each image's path as found, and its name in the output folder; sorted by name.</summary>
    public IReadOnlyList<(string Path, string Name)> Images { get; }

    /// <summary>Files in the folders without an image extension, left alone.</summary>
    public int Others { get; }

    /// <summary>Linked folders passed over because they were read already (see <see cref="FolderScan.Images"/>).</summary>
    public int SkippedFolders { get; }

    /// <summary>Folders that could not be read and names that cannot be opened; reported, and the run goes on.</summary>
    public IReadOnlyList<(string Path, string Message)> Problems { get; }

    /// <summary>
    /// Checks <paramref name="target"/> can take the images of <paramref name="sources"/>, then
    /// gathers them. Every input must exist (the first missing one is named), the output must be a
    /// folder that is none of the inputs, and no two different images may share a name in it
    /// (both are named); the same file named twice is filtered once.
    /// </summary>
    /// <exception cref="FileNotFoundException">an input does not exist</exception>
    /// <exception cref="UsageException">the output cannot be the folder they all go into, or two images share a name</exception>
    public static ApplyInputs Gather(IReadOnlyList<string> sources, string? target)
    {
        if (sources.Contains(CliOptions.Standard))
        {
            throw new UsageException("- (standard input) holds one image, so it must be the only input");
        }

        foreach (var source in sources)
        {
            if (!File.Exists(source) && !Directory.Exists(source))
            {
                throw new FileNotFoundException($"{source}: no such file or folder", source);
            }
        }

        CheckTarget(sources, target);
        var images = new List<(string Path, string Name)>();
        var (others, skipped, problems) = (0, 0, new List<(string Path, string Message)>());
        foreach (var source in sources)
        {
            if (!Directory.Exists(source))
            {
                images.Add((source, Path.GetFileName(source)));
                continue;
            }

            var found = FolderScan.Images(source, target, out var otherFiles, out var loops, out var unreadable);
            images.AddRange(found.Select(name => (Path.Combine(source, name), name)));

            (others, skipped) = (others + otherFiles, skipped + loops);
            problems.AddRange(unreadable);
        }

        return new ApplyInputs(Distinct(images, target!), others, skipped, problems);
    }

    private static void CheckTarget(IReadOnlyList<string> sources, string? target)
    {
        var what = sources.Count == 1 ? "a folder input" : "several inputs";
        if (target is null)
        {
            throw new UsageException($"{what} need{(sources.Count == 1 ? "s" : "")} -o/--output DIR: the folder the filtered images go to");
        }

        if (target == CliOptions.Standard)
        {
            throw new UsageException($"--output - writes one picture to stdout, but {what} make{(sources.Count == 1 ? "s" : "")} many: give a folder");
        }

        if (File.Exists(target))
        {
            throw new UsageException($"--output {target} is a file; {what} need{(sources.Count == 1 ? "s" : "")} an output folder");
        }

        // "out.png" for many pictures is almost surely a slip; a folder with such a name exists already or ends in '/'.
        var asFolder = OutputFolder.IsFolderTarget(target);
        if (!asFolder && ImageFile.ReadableExtensions.Contains(Path.GetExtension(target)))
        {
            throw new UsageException($"--output {target} names a file, but {what} need an output folder; end it with / if a folder of that name is meant");
        }

        var real = RealPath.Of(target);
        foreach (var source in sources.Where(Directory.Exists))
        {
            if (RealPath.Comparer.Equals(real, RealPath.Of(source)))
            {
                throw new UsageException($"--output {target} is the input folder {source}; write the filtered images to another folder");
            }
        }
    }

    /// <summary>The images by name; the same file twice is kept once, two files with one name are refused.</summary>
    private static List<(string Path, string Name)> Distinct(List<(string Path, string Name)> images, string target)
    {
        var byName = new Dictionary<string, string>(RealPath.Comparer);
        var distinct = new List<(string Path, string Name)>();
        foreach (var (path, name) in images)
        {
            if (!byName.TryAdd(name, path))
            {
                var first = byName[name];
                if (RealPath.Comparer.Equals(RealPath.Of(first), RealPath.Of(path)))
                {
                    continue;
                }

                throw new UsageException(
                    $"{first} and {path} would both be written as {Path.Combine(target, name)}: rename one, or filter them into separate folders");
            }

            distinct.Add((path, name));
        }

        distinct.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return distinct;
    }
}
