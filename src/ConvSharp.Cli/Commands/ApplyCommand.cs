using System.CommandLine;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Filtering;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Commands;

/// <summary><c>convsharp apply</c>: filter an image, or a folder of images, with a kernel.</summary>
internal static class ApplyCommand
{
    private static readonly string[] MapNames = ["auto", "clamp", "normalize", "abs", "signed"];

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "An image file (PNG, JPEG, WebP, BMP, GIF) or a folder, searched recursively." };
        var kernel = new Option<string>("--kernel", "-k")
        {
            Description = "A catalogue name (see `convsharp kernels`), numbers such as \"[[1,-1]]\", or a .npy or .json file (the kernel.json of `convsharp learn` works).",
            Required = true,
        };
        var convolve = new Option<bool>("--convolve") { Description = "True convolution (the kernel flipped) instead of cross-correlation." };
        var padding = new Option<string>("--padding") { Description = "same (output as large as the input), valid (only where the kernel fits), or a number of pixels.", DefaultValueFactory = _ => "same" };
        var mode = new Option<string>("--mode") { Description = "What lies beyond the border: reflect (mirror without repeating the edge, OpenCV's default), zeros (PyTorch's default), replicate, circular, symmetric.", DefaultValueFactory = _ => "reflect" };
        mode.AcceptOnlyFromAmong([.. ArgumentParsing.Modes.Keys]);
        var stride = new Option<int>("--stride") { Description = "Step between windows.", DefaultValueFactory = _ => 1 };
        var map = new Option<string>("--map")
        {
            Description = "How the response becomes a picture: clamp to [0, 1], normalize (min to max), abs (|v|), signed (blue negative, white zero, red positive); abs and signed scale by the 99.5th percentile of |v|, so a few extreme pixels saturate rather than dim the rest. auto: clamp for kernels that sum to 1, signed for kernels that sum to 0, normalize otherwise.",
            DefaultValueFactory = _ => "auto",
        };
        map.AcceptOnlyFromAmong(MapNames);
        var npy = new Option<bool>("--npy") { Description = "Also write the raw response, unmapped and in full precision, as a .npy beside each picture." };
        var output = new Option<string?>("--output", "-o") { Description = "Output file, or folder (required for a folder input; outputs keep the input names and subfolders). Default for one file: NAME.KERNEL.png here." };
        var format = new Option<string?>("--format") { Description = "Write png, jpg or webp whatever the input was (default: the input's own format, png for BMP and GIF)." };
        format.AcceptOnlyFromAmong("png", "jpg", "jpeg", "webp");
        var shard = new Option<string?>("--shard") { Description = "i/n: process only the i-th of n disjoint parts of a folder (by a hash of each file's path), to split a collection over machines." };
        var skipExisting = new Option<bool>("--skip-existing") { Description = "Leave images whose output already exists (to resume an interrupted run)." };
        var threads = new Option<int>("--threads")
        {
            Description = $"Images filtered at once, 1 to {FolderRun.MaxThreads} (default: one per core).",
            DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, FolderRun.MaxThreads),
        };

        var command = new Command("apply", "Filter an image, or every image in a folder, with a kernel; write pictures of the response.")
        {
            input, kernel, convolve, padding, mode, stride, map, npy, output, format, shard, skipExisting, threads,
        };
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            if (parseResult.GetValue(threads) is < 1 or > FolderRun.MaxThreads)
            {
                throw new UsageException($"--threads must be between 1 and {FolderRun.MaxThreads}, but got {parseResult.GetValue(threads)}");
            }

            var strideValue = parseResult.GetValue(stride);
            if (strideValue < 1)
            {
                throw new UsageException($"--stride must be ≥ 1, but got {strideValue}");
            }

            var mapName = parseResult.GetValue(map)!;
            var settings = new FilterSettings(
                parseResult.GetValue(convolve),
                ArgumentParsing.Padding(parseResult.GetValue(padding)!),
                ArgumentParsing.Mode(parseResult.GetValue(mode)!),
                strideValue,
                mapName == "auto" ? null : Enum.Parse<DisplayMap>(mapName, ignoreCase: true));
            var job = new ApplyJob(KernelSpec.Parse(parseResult.GetValue(kernel)!), settings, parseResult.GetValue(format), parseResult.GetValue(npy));
            var source = parseResult.GetValue(input)!;
            var target = parseResult.GetValue(output);
            if (Directory.Exists(source))
            {
                var folder = new FolderRun(job, parseResult.GetValue(threads), parseResult.GetValue(skipExisting));
                var shardText = parseResult.GetValue(shard);
                return folder.Run(context, source, target, shardText is null ? (1, 1) : ArgumentParsing.Shard(shardText));
            }

            if (parseResult.GetValue(shard) is not null)
            {
                throw new UsageException("--shard splits a folder, but the input is a single file");
            }

            return ApplySingle(context, job, source, target);
        }));
        return command;
    }

    private static int ApplySingle(CliContext context, ApplyJob job, string source, string? target)
    {
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"{source}: no such file or folder", source);
        }

        var name = job.OutputName($"{Path.GetFileNameWithoutExtension(source)}.{job.Kernel.Label}{Path.GetExtension(source)}");
        var destination = target switch
        {
            null => name,
            _ when Directory.Exists(target) || target.EndsWith('/') || target.EndsWith(Path.DirectorySeparatorChar) =>
                Path.Combine(target, job.OutputName(Path.GetFileName(source))),
            _ => target,
        };
        try
        {
            ImageFile.FormatFor(destination); // an unwritable extension fails here, before any filtering
        }
        catch (ArgumentException e)
        {
            throw new UsageException(CliContext.Describe(e));
        }

        // An output file named with one format and --format asking for another: say so rather than pick one.
        if (job.Format is { } format && ReferenceEquals(destination, target) && !SameFormat(Path.GetExtension(destination), "." + format))
        {
            throw new UsageException($"--format {format} but --output {target} ends in {Path.GetExtension(target)}: give one or the other");
        }

        // Before any work: the outputs must not be the inputs, whatever the links.
        var plan = new FilePlan();
        plan.Reads(source);
        if (job.Kernel.File is { } kernelFile)
        {
            plan.Reads(kernelFile);
        }

        plan.Writes(destination, "--output");
        if (job.WriteNpy)
        {
            plan.Writes(Path.ChangeExtension(destination, ".npy"), "--npy");
        }

        OutputFolder.Prepare(OutputFolder.Of(destination), "--output", recursive: false, plan);
        var used = job.Run(source, destination);
        context.Out.WriteLine($"wrote {destination} (map: {used.ToString().ToLowerInvariant()})");
        return CliContext.Success;
    }

    private static bool SameFormat(string a, string b) =>
        ImageFile.FormatFor("x" + a.ToLowerInvariant()) == ImageFile.FormatFor("x" + b.ToLowerInvariant());
}
