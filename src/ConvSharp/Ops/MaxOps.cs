using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>
/// <c>torch.max(x, dim)</c> and <c>torch.argmax</c>: the first index of the largest value along a
/// dimension, a NaN counting as larger than everything (the first NaN wins, as in PyTorch).
/// Indices are returned as float tensors of whole numbers (exact up to 2^24).
/// </summary>
internal static class MaxOps
{
    /// <summary>Largest dimension whose indices a float holds exactly.</summary>
    private const int MaxExactIndex = 1 << 24;

    public static (Tensor Values, Tensor Indices) Max(Tensor x, int dim, bool keepDim)
    {
        var (d, indices, shape) = Reduce(x, dim, keepDim, "max");
        var source = x.ContiguousSpan();
        var (_, size, inner) = SoftmaxOps.Layout(x.Dims, d);
        var values = Tensor.Uninitialized(shape);
        var v = values.Storage.Data;
        var indexTensor = Tensor.Uninitialized((int[])shape.Clone());
        var ix = indexTensor.Storage.Data;
        for (var r = 0; r < indices.Length; r++)
        {
            var (o, j) = (r / inner, r % inner);
            v[r] = source[(((o * size) + indices[r]) * inner) + j];
            ix[r] = indices[r];
        }

        var inputShape = x.Dims;
        return (Tensor.Record(values, () => new MaxBackward0(inputShape, d, indices), x), indexTensor);
    }

    public static Tensor ArgMax(Tensor x, int dim, bool keepDim)
    {
        var (_, indices, shape) = Reduce(x, dim, keepDim, "argmax");
        var result = Tensor.Uninitialized(shape);
        var data = result.Storage.Data;
        for (var r = 0; r < indices.Length; r++)
        {
            data[r] = indices[r];
        }

        return result;
    }

    /// <summary>The wrapped dimension, the index of the maximum for every (outer, inner) pair in row-major order, and the result's shape.</summary>
    private static (int Dim, int[] Indices, int[] Shape) Reduce(Tensor x, int dim, bool keepDim, string name)
    {
        var d = Shapes.WrapDim(dim, x.Rank, name);
        if (x.Rank > 0 && x.Dims[d] == 0)
        {
            throw new ArgumentException(
                $"{name}(): Expected reduction dim {d} to have non-zero size (input of shape {Shapes.Format(x.Dims)}).", nameof(dim));
        }

        if (x.Rank > 0 && x.Dims[d] > MaxExactIndex)
        {
            throw new NotSupportedException(
                $"{name}(): dimension {d} has {x.Dims[d]} elements, more than float32 indices count exactly ({MaxExactIndex}).");
        }

        int[] shape = x.Rank == 0 ? [] : keepDim ? [.. x.Dims[..d], 1, .. x.Dims[(d + 1)..]] : [.. x.Dims[..d], .. x.Dims[(d + 1)..]];
        var (outer, size, inner) = SoftmaxOps.Layout(x.Dims, d);
        var source = x.ContiguousSpan();
        var indices = new int[Shapes.NumElements(shape)];
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < inner; j++)
            {
                var start = (o * size * inner) + j;
                var best = source[start];
                var at = 0;
                if (!float.IsNaN(best))
                {
                    for (var i = 1; i < size; i++)
                    {
                        var v = source[start + (i * inner)];
                        if (!(v <= best))
                        {
                            (best, at) = (v, i);
                            if (float.IsNaN(v))
                            {
                                break;
                            }
                        }
                    }
                }

                indices[(o * inner) + j] = at;
            }
        }

        return (d, indices, shape);
    }
}

/// <summary>The gradient of max along a dimension goes to the element that was chosen.</summary>
internal sealed class MaxBackward0(int[] inputShape, int dim, int[] indices) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        var result = Tensor.Zeros(inputShape);
        var data = result.Storage.Data;
        var gradient = g.ContiguousSpan();
        var (_, size, inner) = SoftmaxOps.Layout(inputShape, inputShape.Length == 0 ? 0 : dim);
        for (var r = 0; r < indices.Length; r++)
        {
            var (o, j) = (r / inner, r % inner);
            data[(((o * size) + indices[r]) * inner) + j] = gradient[r];
        }

        return [result];
    }
}
