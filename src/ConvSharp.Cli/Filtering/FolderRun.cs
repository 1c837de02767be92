using System.Collections.Concurrent;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Compute;
using Spectre.Console;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// Many images into one folder through an <see cref="ApplyJob"/> (<see cref="ApplyInputs"/>): images in parallel, a progress bar, and a
/// file that fails reported and skipped while the others go on. Every output is planned before
/// any work: none may be an input, none may be another's (see <see cref="OutputNames"/>).
/// </summary>
internal sealed class FolderRun(ApplyJob job, int threads, bool skipExisting)
{
    /// <summary>The most images filtered at once.</summary>
    public const int MaxThreads = 256;

    public int Run(CliContext context, ApplyInputs inputs, string target, (int Index, int Count) shard)
    {
        OptionRules.InRange(threads, 1, MaxThreads, "--threads");
        var images = inputs.Images.Where(image => FolderScan.InShard(image.Name, shard.Index, shard.Count)).ToList();
        var outputs = OutputNames([.. images.Select(image => image.Name)]);
        var plan = new FilePlan();
        if (job.Kernel.File is { } kernelFile)
        {
            plan.Reads(kernelFile);
        }

        foreach (var (path, _) in images)
        {
            plan.Reads(path);
        }

        for (var i = 0; i < images.Count; i++)
        {
            plan.Writes(Path.Combine(target, outputs[i]), "--output", images[i].Path);
            if (job.WriteNpy)
            {
                plan.Writes(Path.Combine(target, Path.ChangeExtension(outputs[i], ".npy")), "--npy", images[i].Path);
            }
        }

        var stale = OutputFolder.Prepare(target, "--output", recursive: true, plan);
        var unreadable = inputs.Problems.Count;
        var failures = new ConcurrentBag<(string Path, string Message)>(inputs.Problems);
        var (done, skipped) = (0, 0);
        using var commits = new BackgroundCommits();

        void Fail(string input, Exception e) =>
            failures.Add((input, CliContext.IsUserFacing(e) ? CliContext.Describe(e) : $"{e.GetType().Name}: {e.Message}")); // a bug still says what it was

        void Process(int index, Action advance)
        {
            var (input, output) = (images[index].Path, Path.Combine(target, outputs[index]));
            try
            {
                if (skipExisting && File.Exists(output))
                {
                    Interlocked.Increment(ref skipped);
                    return;
                }

                OutputFolder.Create(OutputFolder.Of(output), "--output"); // cleaned once, before the run
                job.Run(input, output, file => commits.Add(file, () => Interlocked.Increment(ref done), e => Fail(input, e)));
            }
            catch (Exception e)
            {
                Fail(input, e); // one bad file must not stop the rest
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
                commits.Finish(); // every picture flushed and in place before the run says it is done
                task.Value = task.MaxValue;
            });

        var notes = new List<string>();
        if (skipped > 0)
        {
            notes.Add($"{skipped} already done");
        }

        if (inputs.Others > 0)
        {
            notes.Add($"{inputs.Others} file(s) without an image extension left alone");
        }

        if (inputs.SkippedFolders > 0)
        {
            notes.Add($"{inputs.SkippedFolders} linked folder(s) already read passed over");
        }

        if (stale > 0)
        {
            notes.Add($"{stale} temporary file(s) of an interrupted run removed");
        }

        var shardNote = shard.Count > 1 ? $" (shard {shard.Index}/{shard.Count})" : "";
        context.Error.WriteLine($"filtered {done} of {images.Count} images{shardNote} into {target}{(notes.Count > 0 ? "; " + string.Join("; ", notes) : "")}");
        if (failures.IsEmpty)
        {
            return CliContext.Success;
        }

        // One line per failure, each in the error format, so that a script can grep them.
        context.Error.WriteLine($"convsharp apply: error: {failures.Count - unreadable} of {images.Count} images failed and were skipped{(unreadable > 0 ? $", and {unreadable} file(s) or folder(s) could not be read" : "")}");
        foreach (var (path, message) in failures.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            // Most messages already name the file; the others get its path in front.
            context.Error.WriteLine(CliContext.OneLine($"convsharp apply: error: {(message.Contains(path, StringComparison.Ordinal) ? message : $"{path}: {message}")}"));
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
