namespace ConvSharp.Nn;

/// <summary>Softmax along one dimension, as <c>torch.nn.Softmax(dim)</c>: each slice along <see cref="Dim"/> sums to 1.</summary>
/// <param name="dim">The dimension that sums to 1; negative counts from the end (−1: the last).</param>
public sealed class Softmax(int dim) : Module
{
    /// <summary>The dimension that sums to 1.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softmax(input, Dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dim.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
