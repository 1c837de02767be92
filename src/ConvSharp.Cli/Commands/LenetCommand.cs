using System.CommandLine;
using System.Globalization;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.LeNet;
using ConvSharp.Compute;
using ConvSharp.Data;
using ConvSharp.Interop;
using Spectre.Console;

namespace ConvSharp.Cli.Commands;

/// <summary>
/// <c>convsharp lenet train|eval</c>: the book's LeNet on the real Fashion-MNIST. train's result on
/// stdout is its last epoch's line (the epochs and "wrote …" go to stderr); eval's is the accuracy
/// line, or with <c>--predictions -</c> the logits as .npy (the accuracy then goes to stderr).
/// </summary>
internal static class LenetCommand
{
    /// <summary>The most epochs a run may ask for: about a minute each on two cores, so days.</summary>
    public const int MaxEpochs = 10_000;

    /// <summary>The most threads a run may use.</summary>
    public const int MaxThreads = 1024;

    public static Command Create()
    {
        var command = new Command("lenet", "The book's LeNet (Dive into Deep Learning 6.6) on Fashion-MNIST: train it, evaluate a saved model (safetensors, PyTorch's key names), or export it to ONNX.");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Eval());
        command.Subcommands.Add(LenetExportCommand.Create());
        return command;
    }

    private static Option<string> VariantOption()
    {
        var variant = new Option<string>("--variant") { Description = "d2l: the book's sigmoid + average pooling, lr 0.9; modern: ReLU + max pooling, lr 0.1.", DefaultValueFactory = _ => "d2l" };
        variant.AcceptOnlyFromAmong("d2l", "modern");
        return variant;
    }

    private static Option<string> DataOption() =>
        new Option<string>("--data") { Description = "Folder with Fashion-MNIST's four IDX files (apt-get install dataset-fashion-mnist puts them in the default).", DefaultValueFactory = _ => FashionMnist.DefaultFolder }.NotEmpty();

    private static Command Train()
    {
        var variant = VariantOption();
        var epochs = new Option<int>("--epochs") { Description = "Passes over the 60,000 training images.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Minibatch size.", DefaultValueFactory = _ => 256 };
        var lr = new Option<float?>("--lr") { Description = "SGD learning rate (default: 0.9 for d2l, 0.1 for modern)." };
        var seed = new Option<ulong>("--seed") { Description = "Seeds the initial weights and the shuffling: the same seed, the same run.", DefaultValueFactory = _ => 1 };
        var data = DataOption();
        var output = CliOptions.Output("Folder for model.safetensors, metrics.json and curves.png.", "--out").Folder();
        output.DefaultValueFactory = _ => "lenet";
        var threads = new Option<int>("--threads") { Description = "Threads for the compute engine (default: every core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("train", "Train LeNet with minibatch SGD and cross-entropy, as the book's train_ch6, showing loss, accuracy and examples/s per epoch.")
        {
            variant, epochs, batch, lr, seed, data, output, threads,
        };
        CliHelp.Examples(
            command,
            "convsharp lenet train                              # the book's recipe → lenet/",
            "convsharp lenet train --variant modern -o modern/  # ReLU + max pooling",
            "convsharp lenet train --epochs 1 --batch 64 --threads 2 2> log.txt");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var kind = ParseVariant(parseResult.GetValue(variant)!);
            var epochCount = OptionRules.InRange(parseResult.GetValue(epochs), 1, MaxEpochs, "--epochs");
            var batchSize = OptionRules.InRange(parseResult.GetValue(batch), 1, 60_000, "--batch");
            var threadCount = OptionRules.InRange(parseResult.GetValue(threads), 1, MaxThreads, "--threads");
            var rate = OptionRules.Positive(parseResult.GetValue(lr) ?? LeNetModel.DefaultLearningRate(kind), "--lr");

            var folder = parseResult.GetValue(output)!;
            var dataFolder = parseResult.GetValue(data)!;
            var plan = new FilePlan();
            ReadsData(plan, dataFolder);
            foreach (var name in LeNetOutputs.Names)
            {
                plan.Writes(Path.Combine(folder, name), "--output");
            }

            OutputFolder.Check(folder, "--output");
            var train = FashionMnist.Load(dataFolder, train: true);
            var test = FashionMnist.Load(dataFolder, train: false);
            var settings = new TrainSettings(epochCount, batchSize, rate, parseResult.GetValue(seed));
            using var scope = ConvPlanOptions.Use(new ConvPlanOptions { MaxDegreeOfParallelism = threadCount });
            Rng.ManualSeed(settings.Seed);
            var network = LeNetModel.Create(kind);
            LeNetModel.InitXavier(network); // train_ch6 initialises every variant so

            context.Error.WriteLine(
                $"training LeNet ({Name(kind)}) on {train.Count:N0} Fashion-MNIST images: {epochCount} epochs, batch {batchSize}, lr {rate.ToString(CultureInfo.InvariantCulture)}, {threadCount} threads");
            var metrics = WithProgress(context, epochCount, (onBatch, onEpoch) => LeNetTrainer.Train(network, train, test, settings, onBatch, onEpoch));
            OutputFolder.Prepare(folder, "--output", recursive: false, plan);
            LeNetOutputs.Write(folder, network, kind, metrics);
            var last = metrics[^1];
            context.Out.WriteLine(
                $"loss {last.Loss:F3}, train acc {last.TrainAccuracy:F3}, test acc {last.TestAccuracy:F3}; "
                + $"{metrics.Average(m => m.ExamplesPerSecond):N0} examples/s on {threadCount} threads");
            context.Error.WriteLine($"wrote {Path.Combine(folder, "model.safetensors")}, metrics.json and curves.png");
            return 0;
        }));
        return command;
    }

    private static Command Eval()
    {
        var weights = new Option<string>("--weights") { Description = "A LeNet state dict as safetensors (from lenet train, or PyTorch's state_dict() with its keys 0.weight … 11.bias).", Required = true }.NotEmpty();
        var variant = VariantOption();
        var data = DataOption();
        var predictions = new Option<string?>("--predictions") { Description = "Write the test set's logits, (10000, 10) float32, to this .npy file; - writes them to stdout (and the accuracy to stderr)." }.NotEmpty();
        var command = new Command("eval", "Print a saved LeNet's accuracy on the 10,000 test images.") { weights, variant, data, predictions };
        CliHelp.Examples(
            command,
            "convsharp lenet eval --weights lenet/model.safetensors",
            "convsharp lenet eval --weights model.safetensors --variant modern --predictions logits.npy",
            "convsharp lenet eval --weights model.safetensors --predictions - | python3 top5.py   # logits on stdout");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var kind = ParseVariant(parseResult.GetValue(variant)!);
            var weightsPath = parseResult.GetValue(weights)!;
            var predictionsPath = parseResult.GetValue(predictions);
            var dataFolder = parseResult.GetValue(data)!;
            var plan = new FilePlan();
            var toStdout = predictionsPath == CliOptions.Standard;
            if (toStdout)
            {
                Staging.CheckStandardOutput(context, "--predictions");
            }
            else if (predictionsPath is not null)
            {
                plan.Reads(weightsPath);
                ReadsData(plan, dataFolder);
                plan.Writes(predictionsPath, "--predictions");
                OutputFolder.Check(OutputFolder.Of(predictionsPath), "--predictions");
            }

            var network = LeNetWeights.Load(weightsPath, kind);
            var test = FashionMnist.Load(dataFolder, train: false);
            var logits = LeNetTrainer.Logits(network, test);
            var correct = LeNetTrainer.Correct(logits, test.Labels);
            if (toStdout)
            {
                WriteStandardOutput(context, logits);
            }
            else if (predictionsPath is not null)
            {
                OutputFolder.Prepare(OutputFolder.Of(predictionsPath), "--predictions", recursive: false, plan);
                logits.SaveNpy(predictionsPath);
            }

            // With the logits on stdout, the accuracy line steps aside to stderr.
            (toStdout ? context.Error : context.Out).WriteLine($"test acc {(double)correct / test.Count:F4} ({correct} of {test.Count})");
            return 0;
        }));
        return command;
    }

    /// <summary>The logits as .npy bytes on stdout, encoded whole first so a failure writes none of them.</summary>
    private static void WriteStandardOutput(CliContext context, Tensor logits)
    {
        using var encoded = new MemoryStream();
        NpyFormat.Write(logits, encoded);
        var output = context.OpenStandardOutput();
        encoded.WriteTo(output);
        output.Flush();
    }

    /// <summary>Declares every file <see cref="FashionMnist.Load(string, bool)"/> may read from <paramref name="folder"/>, gzipped or not, so no output replaces one.</summary>
    private static void ReadsData(FilePlan plan, string folder)
    {
        foreach (var split in new[] { "train", "t10k" })
        {
            foreach (var kind in new[] { "images-idx3", "labels-idx1" })
            {
                plan.Reads(Path.Combine(folder, $"{split}-{kind}-ubyte.gz"));
                plan.Reads(Path.Combine(folder, $"{split}-{kind}-ubyte"));
            }
        }
    }

    private static LeNetVariant ParseVariant(string text) => text == "modern" ? LeNetVariant.Modern : LeNetVariant.D2l;

    private static string Name(LeNetVariant variant) => variant.ToString().ToLowerInvariant();

    /// <summary>A bar per epoch on a terminal; one line per epoch otherwise (logs, pipes).</summary>
    private static IReadOnlyList<EpochMetrics> WithProgress(
        CliContext context, int epochs, Func<Action<int, int, int, double, double, double>?, Action<EpochMetrics>, IReadOnlyList<EpochMetrics>> train)
    {
        static string Line(EpochMetrics m) =>
            $"epoch {m.Epoch}: loss {m.Loss:F3}, train acc {m.TrainAccuracy:F3}, test acc {m.TestAccuracy:F3}, {m.ExamplesPerSecond:N0} examples/s";
        if (!context.Interactive)
        {
            return train(null, m => context.Error.WriteLine(Line(m)));
        }

        IReadOnlyList<EpochMetrics>? result = null;
        context.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                ProgressTask? task = null;
                result = train(
                    (epoch, done, total, loss, accuracy, speed) =>
                    {
                        task ??= progress.AddTask($"epoch {epoch}/{epochs}", maxValue: total);
                        task.Value = done;
                        task.Description = $"epoch {epoch}/{epochs}  loss {loss:F3}  acc {accuracy:F3}  {speed:N0} ex/s";
                    },
                    m =>
                    {
                        task!.Description = Line(m);
                        task.StopTask();
                        task = null;
                    });
            });
        return result!;
    }
}
