using ConvSharp.Cli.CommandLine;
using ConvSharp.Nn;
using ConvSharp.Optim;

namespace ConvSharp.Cli.Learning;

/// <summary>
/// The chapter's "learning a kernel" on real data: full-batch gradient descent on the mean
/// squared error between conv(input, kernel) + bias and the target, with autograd computing the
/// gradient. The input is standardised first (zero mean, unit variance) and the kernel and bias
/// are mapped back afterwards: the same minimiser, reached in far fewer steps.
/// </summary>
internal static class KernelFitter
{
    /// <summary>Fits a kernel; <paramref name="onEpoch"/> sees (epoch, loss) after every step.</summary>
    public static FitResult Fit(Tensor input, Tensor target, FitOptions options, Action<int, float>? onEpoch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        var problem = FitProblem.Create(input, target, options);
        var (kh, kw) = (options.KernelHeight, options.KernelWidth);
        var weight = new Parameter(Tensor.Zeros(problem.OutputChannels, problem.InputChannels / problem.Groups, kh, kw));
        var bias = new Parameter(Tensor.Zeros(problem.OutputChannels), requiresGrad: options.LearnBias);
        var parameters = options.LearnBias ? new[] { weight, bias } : [weight];

        // On a standardised input every entry of the patches' second-moment matrix is at most 1
        // in size, so the loss's curvature is at most λ = 2·(taps + 1) (Gershgorin, the bias
        // counted as a tap). Heavy-ball momentum β is stable for lr·λ < 2·(1 + β) = 3.9; this
        // step gives lr·λ ≤ 3.6. Momentum 0.95 suits the ill-conditioning of natural images,
        // whose neighbouring pixels are strongly correlated.
        var taps = kh * kw * problem.InputChannels / problem.Groups;
        var learningRate = options.LearningRate ?? (options.Optimizer == OptimizerKind.Sgd ? 1.8f / (taps + 1) : 0.1f);
        Optimizer optimizer = options.Optimizer == OptimizerKind.Sgd
            ? new Sgd(parameters, learningRate, momentum: 0.95f)
            : new Adam(parameters, learningRate);

        var losses = new List<float>(options.Epochs);
        var padding = options.Padding ?? Padding.Valid;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            optimizer.Lr = CosineSchedule(learningRate, epoch, options);
            var prediction = Functional.Conv2d(problem.Input, weight, options.LearnBias ? bias : null, 1, padding, groups: problem.Groups, paddingMode: options.Mode);
            var loss = Functional.MseLoss(prediction, problem.Target);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            var value = loss.Item();
            losses.Add(value);
            onEpoch?.Invoke(epoch, value);
            if (!float.IsFinite(value))
            {
                throw new CommandFailedException($"the loss became {value} at epoch {epoch}: the learning rate {learningRate} is too large for this problem; try a smaller --lr");
            }

            if (options.Optimizer == OptimizerKind.Sgd && HasConverged(losses))
            {
                break;
            }
        }

        var (kernel, trueBias) = Unstandardise(weight, bias, problem, options.Sharing);
        var variance = (problem.Target - problem.Target.Mean()).Square().Mean().Item();
        return new FitResult(kernel, trueBias, losses, problem.Target.NumElements, learningRate, variance);
    }

    /// <summary>
    /// Stops when the loss has stalled: over the last <see cref="Patience"/> epochs it fell by less
    /// than a thousandth. Float32 arithmetic puts a floor under the loss that no step passes.
    /// (Adam runs its whole schedule: its loss wanders before the step has shrunk.)
    /// </summary>
    private static bool HasConverged(List<float> losses)
    {
        if (losses.Count < 2 * Patience || losses.Count % Patience != 0)
        {
            return false;
        }

        var best = losses.TakeLast(Patience).Min();
        var before = losses.SkipLast(Patience).Min();
        return best > before * 0.999f;
    }

    private const int Patience = 100;

    // Adam settles only as its step shrinks; SGD's step is kept (its noise-free full-batch
    // gradient already vanishes at the minimum). Cosine annealing from lr to lr/100 for Adam.
    private static float CosineSchedule(float learningRate, int epoch, FitOptions options) =>
        options.Optimizer == OptimizerKind.Sgd
            ? learningRate
            : learningRate * (0.01f + (0.99f * 0.5f * (1f + MathF.Cos(MathF.PI * (epoch - 1) / options.Epochs))));

    /// <summary>
    /// conv(W·(x − m), K') + b' = conv(x, K) + b' − Σ_c m_c·ΣK[·, c], with K mapped back through
    /// the whitening W: the kernel in the original units, and the bias absorbing the means.
    /// </summary>
    private static (Tensor Kernel, Tensor Bias) Unstandardise(Parameter weight, Parameter bias, FitProblem problem, ChannelSharing sharing)
    {
        using var noGrad = Tensor.NoGrad();
        var kernel = problem.Whitening.MapBack(weight.Detach(), depthwise: problem.Groups > 1);
        var (outputs, inputs) = (kernel.Shape[0], kernel.Shape[1]);
        var tapSums = kernel.Sum([2, 3]).ToArray();
        var biases = bias.ToArray();
        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < inputs; i++)
            {
                var channel = problem.Groups == 1 ? i : o;
                biases[o] -= problem.Means[channel] * tapSums[(o * inputs) + i];
            }
        }

        var shaped = sharing switch
        {
            ChannelSharing.Shared => kernel.Reshape(kernel.Shape[2], kernel.Shape[3]),
            ChannelSharing.Depthwise => kernel.Squeeze(1),
            _ => kernel,
        };
        return (shaped.Contiguous().Detach(), Tensor.FromArray(biases, outputs));
    }
}
