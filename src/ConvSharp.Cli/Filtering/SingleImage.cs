using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// <c>convsharp apply</c> on one image: a file or <c>-</c> (standard input) in, a file, a folder or
/// <c>-</c> (standard output: a picture in <c>--format</c>, png by default, or with
/// <c>--format npy</c> the raw response) out.
/// </summary>
internal static class SingleImage
{
    public static int Run(CliContext context, ApplyJob job, string source, string? target)
    {
        var fromStdin = source == CliOptions.Standard;
        var toStdout = target == CliOptions.Standard;
        if (fromStdin && (target is null || OutputFolder.IsFolderTarget(target)))
        {
            throw new UsageException("the input - is standard input, which has no name to make an output's from: give -o FILE, or -o - for standard output");
        }

        if (!fromStdin && !File.Exists(source))
        {
            throw new FileNotFoundException($"{source}: no such file or folder", source);
        }

        var rawToStdout = toStdout && job.Format == "npy";
        if (job.Format == "npy" && !toStdout)
        {
            throw new UsageException("--format npy writes the raw response to standard output (-o -); for a file, add --npy beside the picture");
        }

        if (toStdout && job.WriteNpy)
        {
            throw new UsageException("--npy writes a file beside the picture, and -o - has none: use --format npy for the raw response on standard output");
        }

        if (toStdout)
        {
            Staging.CheckStandardOutput(context, "--output");
            job = job with { Format = rawToStdout ? "png" : job.Format ?? "png", WriteNpy = rawToStdout };
        }

        using var staging = fromStdin || toStdout ? new Staging() : null;
        var destination = toStdout ? staging!.File("picture." + job.Format) : Destination(job, source, target);
        CheckFormat(job, destination, target);

        // Before any work: the outputs must not be the inputs, whatever the links.
        var plan = new FilePlan();
        if ((fromStdin ? context.StandardInputFile : source) is { } read)
        {
            plan.Reads(read);
        }

        if (job.Kernel.File is { } kernelFile)
        {
            plan.Reads(kernelFile);
        }

        if (!toStdout)
        {
            plan.Writes(destination, "--output");
            if (job.WriteNpy)
            {
                plan.Writes(Path.ChangeExtension(destination, ".npy"), "--npy");
            }

            OutputFolder.Prepare(OutputFolder.Of(destination), "--output", recursive: false, plan);
        }

        var input = fromStdin ? staging!.FromStandardInput(context, "<inputs>", "stdin") : source;
        var used = Filter(job, input, destination, fromStdin);
        if (toStdout)
        {
            Staging.ToStandardOutput(context, rawToStdout ? Path.ChangeExtension(destination, ".npy") : destination);
        }

        var written = toStdout ? $"{(rawToStdout ? "the raw response as .npy" : $"a {job.Format} picture")} to standard output" : destination;
        context.Error.WriteLine($"wrote {written} (map: {used.ToString().ToLowerInvariant()})");
        return CliContext.Success;
    }

    /// <summary>Where the picture goes: the name given, the input's name in the folder given, or NAME.KERNEL.EXT here.</summary>
    private static string Destination(ApplyJob job, string source, string? target) => target switch
    {
        null => job.OutputName($"{Path.GetFileNameWithoutExtension(source)}.{job.Kernel.Label}{Path.GetExtension(source)}"),
        _ when OutputFolder.IsFolderTarget(target) =>
            Path.Combine(target, job.OutputName(Path.GetFileName(source))),
        _ => target,
    };

    private static void CheckFormat(ApplyJob job, string destination, string? target)
    {
        try
        {
            ImageFile.FormatFor(destination); // an unwritable extension fails here, before any filtering
        }
        catch (ArgumentException e)
        {
            throw new UsageException(CliContext.Describe(e));
        }

        // An output file named with one format and --format asking for another: say so rather than pick one.
        if (job.Format is { } format && destination == target && !SameFormat(Path.GetExtension(destination), "." + format))
        {
            throw new UsageException($"--format {format} but --output {target} ends in {Path.GetExtension(target)}: give one or the other");
        }
    }

    /// <summary>Runs the job; an error about the copy of standard input calls it "standard input".</summary>
    private static DisplayMap Filter(ApplyJob job, string input, string destination, bool fromStdin)
    {
        try
        {
            return job.Run(input, destination);
        }
        catch (Exception e) when (fromStdin && CliContext.IsUserFacing(e))
        {
            var message = CliContext.Describe(e).Replace(input, "standard input", StringComparison.Ordinal);
            throw e is UsageException ? new UsageException(message) : new CommandFailedException(message);
        }
    }

    private static bool SameFormat(string a, string b) =>
        ImageFile.FormatFor("x" + a.ToLowerInvariant()) == ImageFile.FormatFor("x" + b.ToLowerInvariant());
}
