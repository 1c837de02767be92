using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary><c>torch.cat</c> and <c>torch.stack</c>: copies into slices of one new tensor; gradients are the matching slices.</summary>
internal static class JoinOps
{
    public static Tensor Cat(Tensor[] tensors, int dim)
    {
        if (tensors.Length == 0)
        {
            throw new ArgumentException("torch.cat(): expected a non-empty list of Tensors", nameof(tensors));
        }

        // As in PyTorch, 1-D empty tensors (shape [0]) are skipped whatever the others' shapes.
        var reference = Array.Find(tensors, t => !IsSkipped(t));
        if (reference is null)
        {
            return Tensor.Record(Tensor.Zeros(0), () => new CatBackward0(0, [.. tensors.Select(t => t.Dims)]), tensors);
        }

        if (reference.Rank == 0)
        {
            throw new ArgumentException(
                $"zero-dimensional tensor (at position {Array.IndexOf(tensors, reference)}) cannot be concatenated", nameof(tensors));
        }

        var d = Shapes.WrapDim(dim, reference.Rank, "cat");
        var total = 0L;
        for (var i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            if (IsSkipped(t))
            {
                continue;
            }

            if (t.Rank != reference.Rank)
            {
                throw new ArgumentException(
                    $"Tensors must have same number of dimensions: got {reference.Rank} and {t.Rank} (tensor number {i} in the list has shape {Shapes.Format(t.Dims)})",
                    nameof(tensors));
            }

            for (var k = 0; k < t.Rank; k++)
            {
                if (k != d && t.Dims[k] != reference.Dims[k])
                {
                    throw new ArgumentException(
                        $"Sizes of tensors must match except in dimension {d}. Expected size {reference.Dims[k]} but got size {t.Dims[k]} for tensor number {i} in the list " +
                        $"(shapes {Shapes.Format(reference.Dims)} and {Shapes.Format(t.Dims)}).",
                        nameof(tensors));
                }
            }

            total += t.Dims[d];
        }

        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"cat: the result would have {total} entries along dimension {d}, more than an array holds.", nameof(tensors));
        }

        var shape = (int[])reference.Dims.Clone();
        shape[d] = (int)total;
        var result = Tensor.Uninitialized(shape);
        var offset = 0;
        foreach (var t in tensors)
        {
            if (!IsSkipped(t))
            {
                Copy(result.NarrowView(d, offset, t.Dims[d]), t);
                offset += t.Dims[d];
            }
        }

        return Tensor.Record(result, () => new CatBackward0(d, [.. tensors.Select(t => t.Dims)]), tensors);
    }

    public static Tensor Stack(Tensor[] tensors, int dim)
    {
        if (tensors.Length == 0)
        {
            throw new ArgumentException("stack expects a non-empty TensorList", nameof(tensors));
        }

        var first = tensors[0];
        for (var i = 1; i < tensors.Length; i++)
        {
            if (!Shapes.Equal(tensors[i].Dims, first.Dims))
            {
                throw new ArgumentException(
                    $"stack expects each tensor to be equal size, but got {Shapes.Format(first.Dims)} at entry 0 and {Shapes.Format(tensors[i].Dims)} at entry {i}",
                    nameof(tensors));
            }
        }

        var d = Shapes.WrapDim(dim, first.Rank + 1, "stack");
        var result = Tensor.Uninitialized([.. first.Dims[..d], tensors.Length, .. first.Dims[d..]]);
        for (var i = 0; i < tensors.Length; i++)
        {
            Copy(result.SelectView(d, i), tensors[i]);
        }

        return Tensor.Record(result, () => new StackBackward0(d, tensors.Length), tensors);
    }

    private static bool IsSkipped(Tensor t) => t.Rank == 1 && t.Dims[0] == 0;

    /// <summary>Copies <paramref name="source"/> into the same-shaped view <paramref name="destination"/> of a fresh tensor.</summary>
    private static void Copy(Tensor destination, Tensor source)
    {
        if (source.NumElements == 0)
        {
            return;
        }

        var kernel = new CopyRowKernel(destination.Storage.Data, source.Storage.Data);
        StridedLoop.Run(destination.Dims, destination.Strides, destination.Offset, source.Strides, source.Offset, default, 0, ref kernel);
    }
}

/// <summary>Each input's gradient is its slice of the output's gradient.</summary>
internal sealed class CatBackward0(int dim, int[][] shapes) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        var grads = new Tensor?[shapes.Length];
        var offset = 0;
        for (var i = 0; i < shapes.Length; i++)
        {
            if (shapes[i].Length == 1 && shapes[i][0] == 0)
            {
                grads[i] = NeedsInputGrad(i) ? Tensor.Zeros(0) : null;
                continue;
            }

            var length = shapes[i][dim];
            grads[i] = NeedsInputGrad(i) ? g.Narrow(dim, offset, length) : null;
            offset += length;
        }

        return grads;
    }
}

/// <summary>Each input's gradient is its entry of the output's gradient along the new dimension.</summary>
internal sealed class StackBackward0(int dim, int count) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        var grads = new Tensor?[count];
        for (var i = 0; i < count; i++)
        {
            grads[i] = NeedsInputGrad(i) ? g.Select(dim, i) : null;
        }

        return grads;
    }
}
