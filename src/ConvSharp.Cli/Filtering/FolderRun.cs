using System.Collections.Concurrent;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Compute;
using Spectre.Console;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// A whole folder through an <see cref="ApplyJob"/>: images in parallel, a progress bar, and a
/// file that fails reported and skipped while the others go on. Every output is planned before
/// any work: none may be an input, none may be another's (see <see cref="OutputNames"/>).
/// </summary>
internal sealed class FolderRun(ApplyJob job, int threads, bool skipExisting)
{
    /// <summary>The most images filtered at once.</summary>
    public const int MaxThreads = 256;

    public int Run(CliContext context, string source, string? target, (int Index, int Count) shard)
    {
        if (target is null)
        {
            throw new UsageException("a folder input needs --output DIR: the folder the filtered images go to");
        }

        if (File.Exists(target))
        {
            throw new UsageException($"--output {target} is a file; a folder input needs an output folder");
        }

        if (RealPath.Comparer.Equals(RealPath.Of(target), RealPath.Of(source)))
        {
            throw new UsageException($"--output {target} is the input folder; write the filtered images to another folder");
        }

        if (threads is < 1 or > MaxThreads)
        {
            throw new UsageException($"--threads must be between 1 and {MaxThreads}, but got {threads}");
        }

        var images = FolderScan.Images(source, target, out var others, out var loops, out var unreadable)
            .Where(path => FolderScan.InShard(path, shard.Index, shard.Count))
            .ToList();
        var outputs = OutputNames(images);
        var plan = new FilePlan();
        if (job.Kernel.File is { } kernelFile)
        {
            plan.Reads(kernelFile);
        }

        foreach (var image in images)
        {
            plan.Reads(Path.Combine(source, image));
        }

        for (var i = 0; i < images.Count; i++)
        {
            var image = Path.Combine(source, images[i]);
            plan.Writes(Path.Combine(target, outputs[i]), "--output", image);
            if (job.WriteNpy)
            {
                plan.Writes(Path.Combine(target, Path.ChangeExtension(outputs[i], ".npy")), "--npy", image);
            }
        }

        var stale = OutputFolder.Prepare(target, "--output", recursive: true, plan);
        var failures = new ConcurrentBag<(string Path, string Message)>(unreadable.Select(p => (Path.GetRelativePath(source, p.Path), p.Message)));
        var (done, skipped) = (0, 0);

        void Process(int index, Action advance)
        {
            var (relative, output) = (images[index], Path.Combine(target, outputs[index]));
            try
            {
                if (skipExisting && File.Exists(output))
                {
                    Interlocked.Increment(ref skipped);
                    return;
                }

                OutputFolder.Create(OutputFolder.Of(output), "--output"); // cleaned once, before the run
                job.Run(Path.Combine(source, relative), output);
                Interlocked.Increment(ref done);
            }
            catch (Exception e)
            {
                // One bad file must not stop the rest; a bug still says what it was.
                failures.Add((relative, CliContext.IsUserFacing(e) ? CliContext.Describe(e) : $"{e.GetType().Name}: {e.Message}"));
            }
            finally
            {
                advance();
            }
        }

        // Whole images in parallel, each convolution on one thread: no nested parallelism.
        var oneThread = ConvPlanOptions.Current with { MaxDegreeOfParallelism = 1 };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask($"filtering {images.Count} images", maxValue: Math.Max(images.Count, 1));
                Parallel.For(0, images.Count, parallel, index =>
                {
                    using var scope = ConvPlanOptions.Use(oneThread);
                    Process(index, () => task.Increment(1));
                });
                task.Value = task.MaxValue;
            });

        var notes = new List<string>();
        if (skipped > 0)
        {
            notes.Add($"{skipped} already done");
        }

        if (others > 0)
        {
            notes.Add($"{others} file(s) without an image extension left alone");
        }

        if (loops > 0)
        {
            notes.Add($"{loops} linked folder(s) already read passed over");
        }

        if (stale > 0)
        {
            notes.Add($"{stale} temporary file(s) of an interrupted run removed");
        }

        var shardNote = shard.Count > 1 ? $" (shard {shard.Index}/{shard.Count})" : "";
        context.Out.WriteLine($"filtered {done} of {images.Count} images{shardNote} into {target}{(notes.Count > 0 ? "; " + string.Join("; ", notes) : "")}");
        if (failures.IsEmpty)
        {
            return CliContext.Success;
        }

        // One line per failure, each in the error format, so that a script can grep them.
        context.Error.WriteLine($"convsharp apply: error: {failures.Count - unreadable.Count} of {images.Count} images failed and were skipped{(unreadable.Count > 0 ? $", and {unreadable.Count} file(s) or folder(s) could not be read" : "")}");
        foreach (var (path, message) in failures.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            // Most messages already name the file; the others get its path in front.
            var full = Path.Combine(source, path);
            context.Error.WriteLine(CliContext.OneLine($"convsharp apply: error: {(message.Contains(full, StringComparison.Ordinal) ? message : $"{full}: {message}")}"));
        }

        return CliContext.Failure;
    }

    /// <summary>
    /// The output of each input, relative to the output folder: the input's own path with the
    /// extension of the output format (<see cref="ApplyJob.OutputName"/>). Inputs of one folder
    /// that share a name apart from the extension (pic.png, pic.jpg, pic.bmp) would write one
    /// another's files, so each of them keeps its whole name and gains the output's extension:
    /// pic.png.png, pic.jpg.jpg, pic.bmp.png (and pic.png.npy …).
    /// </summary>
    public List<string> OutputNames(IReadOnlyList<string> inputs)
    {
        static string Stem(string path) => Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path));
        var shared = inputs.GroupBy(Stem, RealPath.Comparer).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(RealPath.Comparer);
        return [.. inputs.Select(input => shared.Contains(Stem(input))
            ? input + Path.GetExtension(job.OutputName(input))
            : job.OutputName(input))];
    }
}
