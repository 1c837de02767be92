using ConvSharp.Autograd;

namespace ConvSharp.Convolution;

/// <summary>
/// The chapter's <c>corr2d</c>: slide the kernel K over the input X, and at each position sum the
/// element-wise products. This is the book's algorithm and the oracle for every fast path.
/// Keep it obvious; never optimize it.
/// </summary>
internal static class Corr2d
{
    /// <param name="X">(H, W)</param>
    /// <param name="K">(h, w), at most as large as X</param>
    /// <returns>(H − h + 1, W − w + 1)</returns>
    public static Tensor Forward(Tensor X, Tensor K)
    {
        Validate(X, K);
        var x = X.ToArray2D();
        var k = K.ToArray2D();
        var (h, w) = (k.GetLength(0), k.GetLength(1));
        var Y = new float[x.GetLength(0) - h + 1, x.GetLength(1) - w + 1];
        for (var i = 0; i < Y.GetLength(0); i++)
        {
            for (var j = 0; j < Y.GetLength(1); j++)
            {
                // Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
                var sum = 0.0;
                for (var a = 0; a < h; a++)
                {
                    for (var b = 0; b < w; b++)
                    {
                        sum += x[i + a, j + b] * k[a, b];
                    }
                }

                Y[i, j] = (float)sum;
            }
        }

        return Tensor.Record(Tensor.From(Y), () => new Corr2dBackward0(X, K), X, K);
    }

    private static void Validate(Tensor X, Tensor K)
    {
        ArgumentNullException.ThrowIfNull(X);
        ArgumentNullException.ThrowIfNull(K);
        if (X.Rank != 2)
        {
            throw new ArgumentException(
                $"corr2d expects a 2-D input X (height, width), but got a {X.Rank}-D tensor of shape {Shapes.Format(X.Dims)}. " +
                "For batches and channels (N, C, H, W) use F.Conv2d.", nameof(X));
        }

        if (K.Rank != 2)
        {
            throw new ArgumentException(
                $"corr2d expects a 2-D kernel K (height, width), but got a {K.Rank}-D tensor of shape {Shapes.Format(K.Dims)}.", nameof(K));
        }

        if (K.Dims[0] < 1 || K.Dims[1] < 1)
        {
            throw new ArgumentException($"corr2d: the kernel K of shape {Shapes.Format(K.Dims)} is empty; it needs at least one row and one column.", nameof(K));
        }

        if (K.Dims[0] > X.Dims[0] || K.Dims[1] > X.Dims[1])
        {
            throw new ArgumentException(
                $"corr2d: the kernel K of shape {Shapes.Format(K.Dims)} is larger than the input X of shape {Shapes.Format(X.Dims)}; " +
                "the kernel must fit inside the input in both dimensions (output size is (H − h + 1) × (W − w + 1)).", nameof(K));
        }
    }
}

/// <summary>
/// Gradients of <see cref="Corr2d"/>, also as the book would write them: every product
/// X[i + a, j + b]·K[a, b] that made Y[i, j] sends Y's gradient back to both factors.
/// </summary>
internal sealed class Corr2dBackward0(Tensor X, Tensor K) : Node
{
    private readonly SavedTensor _x = new(X);
    private readonly SavedTensor _k = new(K);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        var x = _x.Get(this).ToArray2D();
        var k = _k.Get(this).ToArray2D();
        var g = gradOutput.ToArray2D();
        var (h, w) = (k.GetLength(0), k.GetLength(1));
        var dX = new float[x.GetLength(0), x.GetLength(1)];
        var dK = new float[h, w];
        for (var i = 0; i < g.GetLength(0); i++)
        {
            for (var j = 0; j < g.GetLength(1); j++)
            {
                for (var a = 0; a < h; a++)
                {
                    for (var b = 0; b < w; b++)
                    {
                        dX[i + a, j + b] += g[i, j] * k[a, b];
                        dK[a, b] += g[i, j] * x[i + a, j + b];
                    }
                }
            }
        }

        return [NeedsInputGrad(0) ? Tensor.From(dX) : null, NeedsInputGrad(1) ? Tensor.From(dK) : null];
    }
}
