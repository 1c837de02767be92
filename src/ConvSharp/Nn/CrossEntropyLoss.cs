namespace ConvSharp.Nn;

/// <summary>
/// Cross-entropy of logits against class indices as a module, <c>torch.nn.CrossEntropyLoss</c>:
/// call <see cref="Forward(Tensor, Tensor)"/> with the logits (N, C) and the targets, see
/// <see cref="Functional.CrossEntropyLoss(Tensor, Tensor, Reduction)"/>.
/// </summary>
public sealed class CrossEntropyLoss(Reduction reduction = Reduction.Mean) : Module
{
    /// <summary>How the per-sample losses are reduced.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>The loss of <paramref name="input"/> logits against class indices held as whole numbers.</summary>
    public Tensor Forward(Tensor input, Tensor target) => Functional.CrossEntropyLoss(input, target, Reduction);

    /// <summary>The loss of <paramref name="input"/> logits against integer class indices.</summary>
    public Tensor Forward(Tensor input, int[] target) => Functional.CrossEntropyLoss(input, target, Reduction);

    /// <summary>A loss needs a target: this overload always throws; use <see cref="Forward(Tensor, Tensor)"/>.</summary>
    /// <exception cref="NotSupportedException">always</exception>
    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException("CrossEntropyLoss needs a target: call Forward(input, target).");
}
