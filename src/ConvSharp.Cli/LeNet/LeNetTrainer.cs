using System.Diagnostics;
using System.Globalization;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Data;
using ConvSharp.Nn;
using ConvSharp.Optim;

namespace ConvSharp.Cli.LeNet;

/// <summary>One epoch's figures, as the book's <c>train_ch6</c> reports them.</summary>
/// <param name="Epoch">1-based</param>
/// <param name="Loss">mean cross-entropy over the epoch's training examples, as they were trained on</param>
/// <param name="TrainAccuracy">fraction of the epoch's training examples classified right as they were trained on</param>
/// <param name="TestAccuracy">fraction of the test set classified right after the epoch, in evaluation mode</param>
/// <param name="Seconds">wall time of the epoch's training, without the test pass</param>
/// <param name="ExamplesPerSecond">training examples over <paramref name="Seconds"/></param>
internal sealed record EpochMetrics(int Epoch, double Loss, double TrainAccuracy, double TestAccuracy, double Seconds, double ExamplesPerSecond);

/// <summary>How to train.</summary>
internal sealed record TrainSettings(int Epochs, int BatchSize, float LearningRate, ulong Seed);

/// <summary>Minibatch SGD with cross-entropy, the book's <c>train_ch6</c> on the CPU.</summary>
internal static class LeNetTrainer
{
    /// <summary>Batch size of the evaluation passes, which keep no graph.</summary>
    private const int EvalBatch = 1000;

    /// <summary>
    /// Trains <paramref name="network"/> in place; stops with a <see cref="CommandFailedException"/>
    /// as soon as a batch's loss is NaN or infinite (training has diverged, and every later step would be lost work). <paramref name="onBatch"/> sees (epoch, batches done,
    /// batches in the epoch, running loss, running accuracy, examples per second so far);
    /// <paramref name="onEpoch"/> each epoch's figures.
    /// </summary>
    public static IReadOnlyList<EpochMetrics> Train(
        Module network, IDataset train, MnistDataset test, TrainSettings settings,
        Action<int, int, int, double, double, double>? onBatch = null, Action<EpochMetrics>? onEpoch = null)
    {
        var optimizer = new Sgd(network.Parameters(), settings.LearningRate);
        var loader = new DataLoader(train, settings.BatchSize, shuffle: true, seed: settings.Seed);
        var epochs = new List<EpochMetrics>();
        for (var epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            network.Train();
            var (totalLoss, correct, seen, done) = (0.0, 0L, 0L, 0);
            var clock = Stopwatch.StartNew();
            foreach (var batch in loader)
            {
                optimizer.ZeroGrad();
                var logits = network.Forward(batch.Images);
                var loss = Functional.CrossEntropyLoss(logits, batch.Labels);
                loss.Backward();
                optimizer.Step();
                var value = loss.Item();
                if (!float.IsFinite(value))
                {
                    throw new CommandFailedException(
                        $"the loss became {value.ToString(CultureInfo.InvariantCulture)} in epoch {epoch} (batch {done + 1} of {loader.BatchCount}): training diverged, and nothing was written; "
                        + $"the learning rate {settings.LearningRate.ToString(CultureInfo.InvariantCulture)} is too large, try a smaller --lr");
                }

                totalLoss += (double)value * batch.Count;
                correct += Correct(logits, batch.Labels);
                seen += batch.Count;
                done++;
                onBatch?.Invoke(epoch, done, loader.BatchCount, totalLoss / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var metrics = new EpochMetrics(epoch, totalLoss / seen, (double)correct / seen, Accuracy(network, test), seconds, seen / seconds);
            epochs.Add(metrics);
            onEpoch?.Invoke(metrics);
        }

        return epochs;
    }

    /// <summary>The fraction of <paramref name="data"/> that <paramref name="network"/> classifies right, in evaluation mode.</summary>
    public static double Accuracy(Module network, MnistDataset data) =>
        (double)Correct(Logits(network, data), data.Labels) / Math.Max(1, data.Count);

    /// <summary>The network's outputs for every example of <paramref name="data"/>, in order, in evaluation mode: (N, classes).</summary>
    public static Tensor Logits(Module network, IDataset data)
    {
        network.Eval();
        using (Tensor.NoGrad())
        {
            var parts = new DataLoader(data, EvalBatch).Select(batch => network.Forward(batch.Images)).ToList();
            return Tensor.Cat(parts, 0);
        }
    }

    /// <summary>How many rows of <paramref name="logits"/> have their largest value at the label.</summary>
    public static long Correct(Tensor logits, int[] labels)
    {
        var predicted = logits.ArgMax(1).ToArray();
        var count = 0L;
        for (var i = 0; i < labels.Length; i++)
        {
            count += (int)predicted[i] == labels[i] ? 1 : 0;
        }

        return count;
    }
}
