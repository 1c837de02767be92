using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>Maxima along a dimension and softmax.</summary>
public partial class Tensor
{
    /// <summary>
    /// The largest value along <paramref name="dim"/> and its index: <c>torch.max(x, dim, keepdim)</c>.
    /// Ties give the first index; a NaN counts as the largest (the first NaN wins), as in PyTorch.
    /// Gradients flow through <c>Values</c> to the chosen elements.
    /// </summary>
    /// <remarks>
    /// ConvSharp has one element type, so <c>Indices</c> is a float32 tensor of whole numbers
    /// (exact up to 2^24): it compares directly with float labels, <c>(pred == y)</c>-style, and
    /// feeds <see cref="Functional.CrossEntropyLoss(Tensor, Tensor, Reduction)"/> as a target.
    /// </remarks>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => MaxOps.Max(this, dim, keepDim);

    /// <summary>The index of the largest value along <paramref name="dim"/> (first on ties, NaN largest), as float32 whole numbers: <c>torch.argmax(x, dim, keepdim)</c>.</summary>
    public Tensor ArgMax(int dim, bool keepDim = false) => MaxOps.ArgMax(this, dim, keepDim);

    /// <summary>The index of the largest element of the flattened tensor, a 0-D float32 tensor: <c>torch.argmax(x)</c>.</summary>
    public Tensor ArgMax() => NumElements == 0 ? throw EmptyReduction("argmax") : MaxOps.ArgMax(Reshape(-1), 0, keepDim: false);

    /// <summary>Softmax along <paramref name="dim"/>: <c>tensor.softmax(dim)</c>, see <see cref="Functional.Softmax"/>.</summary>
    public Tensor Softmax(int dim) => SoftmaxOps.Softmax(this, dim, log: false);

    /// <summary>Log-softmax along <paramref name="dim"/>: <c>tensor.log_softmax(dim)</c>, see <see cref="Functional.LogSoftmax"/>.</summary>
    public Tensor LogSoftmax(int dim) => SoftmaxOps.Softmax(this, dim, log: true);
}
