namespace ConvSharp;

/// <summary>Batch normalisation, as <c>torch.nn.functional.batch_norm</c>.</summary>
public static partial class Functional
{
    /// <summary>
    /// Normalises each channel of <paramref name="input"/> (N, C, *) to mean 0 and variance 1, then
    /// scales by <paramref name="weight"/> and shifts by <paramref name="bias"/>: PyTorch's
    /// <c>F.batch_norm</c>. In training the batch's mean and biased variance are used, and
    /// <paramref name="runningMean"/> and <paramref name="runningVar"/>, when given, are updated in
    /// place: running = (1 − momentum)·running + momentum·batch, with the batch's unbiased variance.
    /// Otherwise the running statistics normalise. Gradients flow to input, weight and bias
    /// (through the batch statistics in training).
    /// </summary>
    /// <param name="input">(N, C, *); in training more than one value per channel</param>
    /// <param name="runningMean">(C), or null; needed when not training</param>
    /// <param name="runningVar">(C), or null; needed when not training</param>
    /// <param name="weight">(C), or null for 1</param>
    /// <param name="bias">(C), or null for 0</param>
    /// <param name="training">use (and update) the batch's statistics</param>
    /// <param name="momentum">the new batch's weight in the running statistics' update</param>
    /// <param name="eps">added to the variance for stability</param>
    public static Tensor BatchNorm(
        Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(eps > 0) || double.IsInfinity(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a positive finite number");
        }

        if (!(momentum >= 0 && momentum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be between 0 and 1");
        }

        return Ops.BatchNorm.Forward(input, runningMean, runningVar, weight, bias, training, momentum, eps);
    }
}
