using System.CommandLine;
using System.Globalization;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.Learning;
using Spectre.Console;

namespace ConvSharp.Cli.Commands;

/// <summary>
/// <c>convsharp learn</c>: recover the kernel that maps an image to its filtered copy. The result
/// on stdout is the plan line ("learning a 3×3 kernel … from … to …") and the fit: final loss,
/// kernel and bias (and, in the demo, how close it came). The plan stays on stdout so that a
/// failure during the fit is still one line on stderr; the epochs, warnings and "wrote …" go there.
/// </summary>
internal static class LearnCommand
{
    public static Command Create()
    {
        var input = new Argument<string?>("input") { Description = "The original: an image file, or a .npy array (H, W) or (C, H, W); - reads it from stdin. Leave out both files for a demo on a bundled photograph.", Arity = ArgumentArity.ZeroOrOne }.NotEmpty();
        var target = new Argument<string?>("target") { Description = "The filtered copy: an image file or a .npy array (float targets keep full precision); 'valid', 'same' or 'full' size.", Arity = ArgumentArity.ZeroOrOne }.NotEmpty();
        var size = new Option<string?>("--size") { Description = "Kernel size KHxKW, e.g. 3x3 or 5x5 (required with files; 3x3 in the demo)." };
        var padding = new Option<string?>("--padding") { Description = "Fit the border too, as the target's maker padded: same, valid or N pixels. Default: fit only the pixels that do not depend on the border, whatever mode made it." };
        var mode = new Option<string>("--mode") { Description = "Border mode with --padding: zeros, reflect, replicate, circular, symmetric.", DefaultValueFactory = _ => "zeros" };
        mode.AcceptOnlyFromAmong([.. ArgumentParsing.Modes.Keys]);
        var optimizer = new Option<string>("--optimizer") { Description = "sgd (momentum 0.95; stops once the loss stalls) or adam (learning rate cosine-annealed to 1/100 over the epochs).", DefaultValueFactory = _ => "sgd" };
        optimizer.AcceptOnlyFromAmong("sgd", "adam");
        var epochs = new Option<int>("--epochs") { Description = "Full-batch gradient steps, at most.", DefaultValueFactory = _ => 3000 };
        var lr = new Option<float?>("--lr") { Description = "Learning rate (default: sgd 1.8/(taps + 1), adam 0.1; the input is standardised to zero mean and unit variance first)." };
        var channels = new Option<string>("--channels") { Description = "shared: one kernel for every channel (KH×KW); depthwise: one per channel (C×KH×KW); full: every output channel from every input channel (OC×C×KH×KW).", DefaultValueFactory = _ => "shared" };
        channels.AcceptOnlyFromAmong("shared", "depthwise", "full");
        var noBias = new Option<bool>("--no-bias") { Description = "Fit the kernel alone, with no bias." };
        var output = CliOptions.Output("Folder for kernel.npy, kernel.json, loss.png and kernel.png.", "--out").Folder();
        output.DefaultValueFactory = _ => "learned";

        var command = new Command("learn", "Recover the kernel (and bias) that maps INPUT to TARGET by gradient descent, as the chapter learns its edge kernel.")
        {
            input, target, size, padding, mode, optimizer, epochs, lr, channels, noBias, output,
        };
        CliHelp.Examples(
            command,
            "convsharp learn                                          # demo: recover a hidden Sobel kernel",
            "convsharp learn photo.png filtered.npy --size 5x5 -o fit/ # kernel.npy/.json, loss.png, kernel.png in fit/",
            "convsharp learn a.png b.png --size 3 --padding same --mode reflect --optimizer adam");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var (inputPath, targetPath) = (parseResult.GetValue(input), parseResult.GetValue(target));
            if ((inputPath is null) != (targetPath is null))
            {
                throw new UsageException("give both INPUT and TARGET, or neither for the demo");
            }

            var epochCount = OptionRules.InRange(parseResult.GetValue(epochs), 1, MaxEpochs, "--epochs");
            var rate = parseResult.GetValue(lr) is { } r ? OptionRules.Positive(r, "--lr") : (float?)null;

            var sizeText = parseResult.GetValue(size) ?? (inputPath is null ? "3x3" : throw new UsageException("--size KHxKW is required: the size of the kernel to learn, e.g. --size 3x3"));
            var (kh, kw) = ArgumentParsing.Size(sizeText, MaxKernelSide);
            var paddingText = parseResult.GetValue(padding);
            var options = new FitOptions(
                kh, kw,
                Enum.Parse<ChannelSharing>(parseResult.GetValue(channels)!, ignoreCase: true),
                paddingText is null ? null : ArgumentParsing.Padding(paddingText),
                ArgumentParsing.Mode(parseResult.GetValue(mode)!),
                Enum.Parse<OptimizerKind>(parseResult.GetValue(optimizer)!, ignoreCase: true),
                epochCount,
                rate,
                !parseResult.GetValue(noBias));
            var folder = parseResult.GetValue(output)!;
            var plan = PlanOutputs(folder, inputPath, targetPath, context.StandardInputFile);
            if (inputPath is null)
            {
                return LearnDemo.Run(context, options, folder, plan);
            }

            if (inputPath == CliOptions.Standard && targetPath == CliOptions.Standard)
            {
                throw new UsageException("INPUT and TARGET are both - (standard input), which holds one file: give one of them as a file");
            }

            using var staging = inputPath == CliOptions.Standard || targetPath == CliOptions.Standard ? new Staging() : null;
            Tensor Load(string path, string role) =>
                path == CliOptions.Standard ? LearnInputs.LoadStandardInput(context, staging!, role) : LearnInputs.Load(path, role);
            LearnAndReport(context, Load(inputPath, "input"), Load(targetPath!, "target"), options, folder, plan, inputPath, targetPath!);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The largest kernel learn fits: every epoch costs taps × pixels three times over (the
    /// response and two gradients), so a 101 × 101 kernel on a full-size image is already seconds an epoch.
    /// </summary>
    public const int MaxKernelSide = 101;

    /// <summary>The most epochs a fit may run: at a few milliseconds each, hours.</summary>
    public const int MaxEpochs = 1_000_000;

    /// <summary>Before any work: none of the files learn writes may be one it reads, and the folder must take them.</summary>
    private static FilePlan PlanOutputs(string folder, string? input, string? target, string? standardInputFile)
    {
        var plan = new FilePlan();
        foreach (var path in new[] { input, target })
        {
            if ((path == CliOptions.Standard ? standardInputFile : path) is { } read)
            {
                plan.Reads(read);
            }
        }

        foreach (var name in LearnOutputs.Names)
        {
            plan.Writes(Path.Combine(folder, name), "--output");
        }

        OutputFolder.Check(folder, "--output");
        return plan;
    }

    /// <summary>Fits, reports, writes the files; returns the result for the demo to compare.</summary>
    public static FitResult LearnAndReport(CliContext context, Tensor input, Tensor target, FitOptions options, string folder, FilePlan plan, string inputName, string targetName)
    {
        context.Out.WriteLine($"learning a {options.KernelHeight}×{options.KernelWidth} kernel ({options.Sharing.ToString().ToLowerInvariant()}) from {inputName} [{string.Join(", ", input.Shape)}] to {targetName} [{string.Join(", ", target.Shape)}]");
        var result = WithProgress(context, options.Epochs, onEpoch => KernelFitter.Fit(input, target, options, onEpoch));
        context.Out.WriteLine(
            $"final loss {Format(result.Losses[^1])} after {result.Losses.Count} epochs over {result.FittedPixels} values (learning rate {Format(result.LearningRate)}); "
            + $"the fit explains {result.Explained:P4} of the target's variance");
        if (result.Explained < 0.999)
        {
            context.Error.WriteLine(
                "warning: the fit is not exact. Is --size right? Is the target a linear filter of the input (not clipped to [0, 1], not a different crop)? "
                + (options.Padding is null ? "Are there enough epochs?" : "Does --mode match how the target's border was made?"));
        }

        context.Out.WriteLine("kernel:");
        context.Out.WriteLine(result.Kernel.ToString());
        context.Out.WriteLine($"bias: {string.Join(", ", result.Bias.ToArray().Select(b => Format(b)))}");
        LearnOutputs.Write(folder, plan, result, options, inputName, targetName);
        context.Error.WriteLine($"wrote {Path.Combine(folder, "kernel.npy")}, kernel.json, loss.png and kernel.png");
        return result;
    }

    private static FitResult WithProgress(CliContext context, int epochs, Func<Action<int, float>, FitResult> fit)
    {
        if (!context.Interactive)
        {
            var every = Math.Max(1, epochs / 10);
            return fit((epoch, loss) =>
            {
                if (epoch == 1 || epoch % every == 0 || epoch == epochs)
                {
                    context.Error.WriteLine($"  epoch {epoch,6}/{epochs}  loss {Format(loss)}");
                }
            });
        }

        FitResult? result = null;
        context.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("epoch", maxValue: epochs);
                result = fit((epoch, loss) =>
                {
                    task.Value = epoch;
                    task.Description = $"epoch {epoch}/{epochs}  loss {Format(loss)}";
                });

                // Stopping early (the loss stalled) is finishing: show the bar full.
                task.Description = $"{result.Losses.Count} epochs  loss {Format(result.Losses[^1])}";
                task.Value = epochs;
            });
        return result!;
    }

    public static string Format(float value) => value.ToString("G4", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
}
