using System.CommandLine;
using System.Diagnostics;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Filtering;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Commands;

/// <summary>
/// <c>convsharp apply</c>: filter images, files or folders of them, with a kernel. The result is
/// the files written (or, with <c>-o -</c>, the picture on stdout); "wrote …", progress and the
/// summary go to stderr.
/// </summary>
internal static class ApplyCommand
{
    private static readonly string[] MapNames = ["auto", "clamp", "normalize", "abs", "signed"];

    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Image files (PNG, JPEG, WebP, BMP, GIF) and folders, searched recursively; a shell glob such as in/*.png works. - alone reads one image from standard input.",
            Arity = ArgumentArity.OneOrMore,
        }.NotEmpty();

        // Taking many values, the argument would swallow a mistyped option as a file name.
        inputs.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => t.Value.StartsWith('-') && t.Value != CliOptions.Standard) is { } stray)
            {
                result.AddError($"Unrecognized command or argument '{stray.Value}'. A file whose name starts with '-' can be given as ./{stray.Value}");
            }
        });
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
        var output = CliOptions.Output("Output file, or folder (required for a folder or several inputs: outputs keep the file names, and a folder's subfolders), or - for standard output. Default for one file: NAME.KERNEL.png here.");
        var format = new Option<string?>("--format")
        {
            Description = "Write png, jpg or webp whatever the input was (default: the input's own format, png for BMP and GIF; png for -o -). With -o -, npy writes the raw response instead.",
        };
        format.AcceptOnlyFromAmong("png", "jpg", "jpeg", "webp", "npy");
        var shard = new Option<string?>("--shard") { Description = "i/n: process only the i-th of n disjoint parts of a folder (by a hash of each file's path), to split a collection over machines." };
        var skipExisting = new Option<bool>("--skip-existing") { Description = "Leave images whose output already exists (to resume an interrupted run)." };
        var threads = new Option<int>("--threads")
        {
            Description = $"Images filtered at once, 1 to {FolderRun.MaxThreads} (default: one per core).",
            DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, FolderRun.MaxThreads),
        };
        var compression = new Option<int>("--compression")
        {
            Description = $"PNG compression, 0 to 9: 0 stores the pixels, 1 is fast, 9 makes the smallest files and takes longest; every level is lossless. [default: {ImageFile.DefaultPngCompression}]",
            DefaultValueFactory = _ => ImageFile.DefaultPngCompression,
        };
        var profile = new Option<bool>("--profile") { Description = "Print where the time went, stage by stage (decode, to float, filter, map, quantise, encode, write), in ms per image, to standard error." };

        var command = new Command("apply", "Filter images, files or folders of them, with a kernel; write pictures of the response.")
        {
            inputs, kernel, convolve, padding, mode, stride, map, npy, output, format, shard, skipExisting, threads, compression, profile,
        };
        CliHelp.Examples(
            command,
            "convsharp apply coffee.png -k sobel-x -o edges.png         # blue −, white 0, red +",
            "convsharp apply in/*.png -k gaussian:2 -o blurred/         # many files into one folder",
            "convsharp apply - -k edge -o - < in.png > out.png          # standard input to standard output",
            "convsharp apply photos/ -k laplacian -o out/ --shard 3/8   # a folder, recursively; part 3 of 8");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var threadCount = OptionRules.InRange(parseResult.GetValue(threads), 1, FolderRun.MaxThreads, "--threads");
            var strideValue = OptionRules.AtLeastOne(parseResult.GetValue(stride), "--stride");

            var mapName = parseResult.GetValue(map)!;
            var settings = new FilterSettings(
                parseResult.GetValue(convolve),
                ArgumentParsing.Padding(parseResult.GetValue(padding)!),
                ArgumentParsing.Mode(parseResult.GetValue(mode)!),
                strideValue,
                mapName == "auto" ? null : Enum.Parse<DisplayMap>(mapName, ignoreCase: true));
            var job = new ApplyJob(KernelSpec.Parse(parseResult.GetValue(kernel)!), settings, parseResult.GetValue(format), parseResult.GetValue(npy))
            {
                Compression = OptionRules.InRange(parseResult.GetValue(compression), 0, 9, "--compression"),
            };
            var sources = parseResult.GetValue(inputs)!;
            var target = parseResult.GetValue(output);
            var folder = sources.Length > 1 || Directory.Exists(sources[0]);
            if (!folder && parseResult.GetValue(shard) is not null)
            {
                throw new UsageException("--shard splits many images, but the input is a single file");
            }

            var started = ApplyProfile.Now();
            var code = folder
                ? new FolderRun(job, threadCount, parseResult.GetValue(skipExisting)).Run(
                    context, ApplyInputs.Gather(sources, target), target!, parseResult.GetValue(shard) is { } shardText ? ArgumentParsing.Shard(shardText) : (1, 1))
                : SingleImage.Run(context, job, sources[0], target);
            if (parseResult.GetValue(profile))
            {
                job.Profile.Print(context.Error, Stopwatch.GetElapsedTime(started), folder ? threadCount : 1);
            }

            return code;
        }));
        return command;
    }
}
