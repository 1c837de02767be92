namespace ConvSharp.Nn;

/// <summary>
/// A tensor that is a learnable parameter of a <see cref="Module"/>: a leaf that requires grad
/// by default and prints as <c>Parameter containing:</c>, as <c>torch.nn.Parameter</c>.
/// </summary>
public class Parameter : Tensor
{
    /// <summary>Wraps the storage of <paramref name="data"/> (no copy; its history is not kept).</summary>
    public Parameter(Tensor data, bool requiresGrad = true)
        : base(data ?? throw new ArgumentNullException(nameof(data)))
    {
        RequiresGrad = requiresGrad;
    }

    /// <inheritdoc/>
    public override string ToString() => "Parameter containing:\n" + base.ToString();
}
