using System.Collections.Concurrent;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Compute;
using Spectre.Console;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// A whole folder through an <see cref="ApplyJob"/>: images in parallel, a progress bar, and a
/// file that fails reported and skipped while the others go on.
/// </summary>
internal sealed class FolderRun(ApplyJob job, int threads, bool skipExisting)
{
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

        if (Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(source).TrimEnd(Path.DirectorySeparatorChar))
        {
            throw new UsageException($"--output {target} is the input folder; write the filtered images to another folder");
        }

        if (threads < 1)
        {
            throw new UsageException($"--threads must be ≥ 1, but got {threads}");
        }

        var images = FolderScan.Images(source, target, out var others)
            .Where(path => FolderScan.InShard(path, shard.Index, shard.Count))
            .ToList();
        var failures = new ConcurrentBag<(string Path, string Message)>();
        var (done, skipped) = (0, 0);

        void Process(string relative, Action advance)
        {
            var output = Path.Combine(target, job.OutputName(relative));
            try
            {
                if (skipExisting && File.Exists(output))
                {
                    Interlocked.Increment(ref skipped);
                    return;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
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
                Parallel.ForEach(images, parallel, relative =>
                {
                    using var scope = ConvPlanOptions.Use(oneThread);
                    Process(relative, () => task.Increment(1));
                });
                task.Value = task.MaxValue;
            });

        var shardNote = shard.Count > 1 ? $" (shard {shard.Index}/{shard.Count})" : "";
        var skippedNote = skipped > 0 ? $", {skipped} already done" : "";
        var othersNote = others > 0 ? $"; {others} file(s) without an image extension left alone" : "";
        context.Out.WriteLine($"filtered {done} of {images.Count} images{shardNote} into {target}{skippedNote}{othersNote}");
        if (failures.IsEmpty)
        {
            return 0;
        }

        context.Error.WriteLine($"convsharp apply: {failures.Count} of {images.Count} images failed and were skipped:");
        foreach (var (path, message) in failures.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            // Most messages already name the file; the others get its path in front.
            var full = Path.Combine(source, path);
            context.Error.WriteLine(message.Contains(full, StringComparison.Ordinal) ? $"  {message}" : $"  {full}: {message}");
        }

        return 1;
    }
}
