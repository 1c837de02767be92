using System.Runtime.CompilerServices;
using ConvSharp.Autograd;

namespace ConvSharp;

/// <summary>Indexing with integers, C# indices and ranges; assignment through an index.</summary>
public partial class Tensor
{
    /// <summary>
    /// A view selected by an index, as in PyTorch: <c>X[1]</c>, <c>X[.., 2..6]</c>, <c>X[^1]</c>,
    /// <c>X[TensorIndex.Ellipsis, 0]</c>. Assigning writes through the view into this tensor,
    /// broadcasting the value: <c>X[.., 2..6] = 0</c>.
    /// </summary>
    /// <remarks>Named <c>At</c> for other .NET languages; <c>Item</c> is PyTorch's <c>item()</c>.</remarks>
    [IndexerName("At")]
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set => SetIndex(indices, value);
    }

    private Tensor Index(TensorIndex[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var consuming = indices.Count(i => i.Kind is TensorIndex.IndexKind.Single or TensorIndex.IndexKind.Slice);
        if (consuming > Rank)
        {
            throw new ArgumentException(
                $"too many indices for tensor of dimension {Rank}: {indices.Length} indices given for shape {Shapes.Format(Dims)}",
                nameof(indices));
        }

        if (indices.Count(i => i.Kind == TensorIndex.IndexKind.Ellipsis) > 1)
        {
            throw new ArgumentException("an index can only have a single ellipsis ('...')", nameof(indices));
        }

        var result = this;
        var dim = 0;
        var remaining = consuming;
        foreach (var index in indices)
        {
            switch (index.Kind)
            {
                case TensorIndex.IndexKind.Single:
                    var size = result.Dims[dim];
                    var i = index.Resolve(size);
                    if (i < 0 || i >= size)
                    {
                        throw new ArgumentOutOfRangeException(
                            nameof(indices),
                            $"index {index} is out of bounds for dimension {dim} with size {size} (tensor of shape {Shapes.Format(Dims)})");
                    }

                    result = result.Select(dim, i);
                    remaining--;
                    break;
                case TensorIndex.IndexKind.Slice:
                    var (start, length) = index.ResolveSlice(result.Dims[dim]);
                    if (start != 0 || length != result.Dims[dim])
                    {
                        result = result.Narrow(dim, start, length);
                    }

                    dim++;
                    remaining--;
                    break;
                case TensorIndex.IndexKind.NewAxis:
                    result = result.Unsqueeze(dim);
                    dim++;
                    break;
                default:
                    dim = result.Rank - remaining;
                    break;
            }
        }

        return ReferenceEquals(result, this)
            ? Record(View((int[])Dims.Clone(), (int[])Strides.Clone(), Offset), () => new AliasBackward0(), this)
            : result;
    }

    private void SetIndex(TensorIndex[] indices, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Tensor target;
        using (NoGrad())
        {
            target = Index(indices);
        }

        var tracked = GradMode.IsEnabled && (RequiresGrad || value.RequiresGrad);
        if (tracked)
        {
            CheckInPlaceOnGraph();
        }

        target.CopyFromChecked(value);
        if (tracked)
        {
            RebaseHistory(new CopySlices((TensorIndex[])indices.Clone(), value.Dims), this, value);
        }
    }

    /// <summary>Autograd can track an in-place write only into a non-leaf tensor that owns its storage.</summary>
    private void CheckInPlaceOnGraph()
    {
        if (IsLeaf && RequiresGrad)
        {
            throw new InvalidOperationException(
                "a leaf Variable that requires grad is being used in an in-place operation. " +
                "Update parameters inside `using (Tensor.NoGrad())`, or through .Data (the book's weight.data[:] -= lr * grad).");
        }

        if (Base is not null)
        {
            throw new NotSupportedException(
                $"an in-place write into a view (shape {Shapes.Format(Dims)}) cannot be recorded for autograd here: " +
                "write into the tensor that owns the storage, or compute the result out of place.");
        }
    }
}

/// <summary>Gradient of <c>X[index] = value</c>: the old X gets the gradient outside the slice, the value the slice.</summary>
internal sealed class CopySlices(TensorIndex[] indices, int[] valueShape) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        Tensor? gradSelf = null;
        if (NeedsInputGrad(0))
        {
            gradSelf = g.Clone();
            gradSelf[indices] = 0f;
        }

        Tensor? gradValue = null;
        if (NeedsInputGrad(1))
        {
            var slice = g[indices];
            var lead = Math.Max(valueShape.Length - slice.Rank, 0);
            gradValue = slice.SumTo(valueShape[lead..]).Reshape(valueShape);
        }

        return [gradSelf, gradValue];
    }
}

internal sealed class AliasBackward0 : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g];
}
