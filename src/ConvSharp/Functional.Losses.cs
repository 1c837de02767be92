using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>Classification losses over class-index targets.</summary>
public static partial class Functional
{
    /// <summary>
    /// Cross-entropy of logits against class indices, as <c>F.cross_entropy(input, target, reduction=...)</c>:
    /// loss_i = log Σ_c e^input[i, c] − input[i, target_i], computed through <see cref="LogSoftmax"/>
    /// so logits of any size are exact; the gradient is softmax − one-hot (÷ N for the mean).
    /// </summary>
    /// <param name="input">logits (N, C), or (C) for one sample</param>
    /// <param name="target">
    /// class indices as a tensor of whole numbers, (N) or a scalar: ConvSharp has one element type,
    /// so labels are float32 (exact up to 2^24); each must lie in [0, C)
    /// </param>
    /// <param name="reduction">mean (default) or sum over the samples, or none: one loss per sample</param>
    /// <exception cref="ArgumentOutOfRangeException">a target is not a class index in [0, C)</exception>
    /// <exception cref="ArgumentException">the shapes do not fit, or a target is not a whole number</exception>
    public static Tensor CrossEntropyLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var indices = LossOps.ClassIndices(input, target, "cross_entropy");
        return LossOps.NllLoss(LogSoftmax(input, -1), indices, reduction, "cross_entropy");
    }

    /// <summary>Cross-entropy with class indices given as integers, one per row of an (N, C) input (one for a (C) input).</summary>
    public static Tensor CrossEntropyLoss(Tensor input, int[] target, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        LossOps.CheckTargets(input, target, "cross_entropy"); // before any graph is built
        return LossOps.NllLoss(LogSoftmax(input, -1), target, reduction, "cross_entropy");
    }

    /// <summary>
    /// Negative log-likelihood of log-probabilities against class indices, as <c>F.nll_loss</c>:
    /// loss_i = −input[i, target_i]. The target is a tensor of whole numbers as for <see cref="CrossEntropyLoss(Tensor, Tensor, Reduction)"/>.
    /// </summary>
    public static Tensor NllLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return LossOps.NllLoss(input, LossOps.ClassIndices(input, target, "nll_loss"), reduction, "nll_loss");
    }

    /// <summary>Negative log-likelihood with class indices given as integers.</summary>
    public static Tensor NllLoss(Tensor input, int[] target, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        return LossOps.NllLoss(input, target, reduction, "nll_loss");
    }
}
