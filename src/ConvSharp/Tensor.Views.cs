using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>Shape operations. All but <see cref="Flip"/>, <see cref="Clone"/> and non-contiguous reshapes are views.</summary>
public partial class Tensor
{
    /// <summary>
    /// The same elements with another shape; one size may be -1 and is then inferred. A view when
    /// the tensor is contiguous, a copy otherwise: <c>tensor.reshape(...)</c>.
    /// </summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = InferShape(shape);
        if (!IsContiguous)
        {
            return Contiguous().Reshape(dims);
        }

        var view = View(dims, Shapes.ContiguousStrides(dims), Offset);
        return Record(view, () => new ViewBackward0(Dims), this);
    }

    /// <summary>The transpose of a tensor of at most 2 dimensions: <c>tensor.T</c>.</summary>
    public Tensor T
    {
        get
        {
            if (Rank > 2)
            {
                throw new InvalidOperationException(
                    $"T expects a tensor with <= 2 dimensions, but this tensor is {Rank}D (shape {Shapes.Format(Dims)}); use Transpose(dim0, dim1) or Permute.");
            }

            var view = Rank < 2 ? View((int[])Dims.Clone(), (int[])Strides.Clone(), Offset) : SwapAxes(0, 1);
            return Record(view, () => new TBackward0(), this);
        }
    }

    /// <summary>Swaps two dimensions: <c>tensor.transpose(dim0, dim1)</c>.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var a = Shapes.WrapDim(dim0, Rank, "transpose");
        var b = Shapes.WrapDim(dim1, Rank, "transpose");
        if (Rank == 0)
        {
            // As in PyTorch, a scalar's dimension 0 (or −1) is itself.
            return Record(View([], [], Offset), () => new AliasBackward0(), this);
        }

        return Record(SwapAxes(a, b), () => new TransposeBackward0(a, b), this);
    }

    /// <summary>Reorders the dimensions: <c>tensor.permute(dims)</c>.</summary>
    public Tensor Permute(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length != Rank)
        {
            throw new ArgumentException(
                $"permute: number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {Rank} is not equal to len(dims) = {dims.Length}",
                nameof(dims));
        }

        var order = new int[Rank];
        var seen = new bool[Rank];
        for (var i = 0; i < Rank; i++)
        {
            order[i] = Shapes.WrapDim(dims[i], Rank, "permute");
            if (seen[order[i]])
            {
                throw new ArgumentException($"permute: repeated dim {dims[i]} in {Shapes.Format(dims)}", nameof(dims));
            }

            seen[order[i]] = true;
        }

        var view = View([.. order.Select(d => Dims[d])], [.. order.Select(d => Strides[d])], Offset);
        return Record(view, () => new PermuteBackward0(order), this);
    }

    /// <summary>Removes every dimension of size 1: <c>tensor.squeeze()</c>.</summary>
    public Tensor Squeeze()
    {
        var keep = Enumerable.Range(0, Rank).Where(d => Dims[d] != 1).ToArray();
        var view = View([.. keep.Select(d => Dims[d])], [.. keep.Select(d => Strides[d])], Offset);
        return Record(view, () => new SqueezeBackward0(Dims), this);
    }

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1: <c>tensor.squeeze(dim)</c>.</summary>
    public Tensor Squeeze(int dim)
    {
        var d = Shapes.WrapDim(dim, Rank, "squeeze");
        var view = Rank == 0 || Dims[d] != 1
            ? View((int[])Dims.Clone(), (int[])Strides.Clone(), Offset)
            : View([.. Dims[..d], .. Dims[(d + 1)..]], [.. Strides[..d], .. Strides[(d + 1)..]], Offset);
        return Record(view, () => new SqueezeBackward1(Dims), this);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>: <c>tensor.unsqueeze(dim)</c>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        var d = Shapes.WrapDim(dim, Rank + 1, "unsqueeze");
        var stride = d < Rank ? Dims[d] * Strides[d] : 1;
        var view = View([.. Dims[..d], 1, .. Dims[d..]], [.. Strides[..d], stride, .. Strides[d..]], Offset);
        return Record(view, () => new UnsqueezeBackward0(d), this);
    }

    /// <summary>
    /// A broadcast view with more or larger dimensions (size-1 dimensions repeat without copying;
    /// -1 keeps a size): <c>tensor.expand(...)</c>.
    /// </summary>
    public Tensor Expand(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length < Rank)
        {
            throw new ArgumentException(
                $"expand: the number of sizes provided ({shape.Length}) must be greater or equal to the number of dimensions in the tensor ({Rank})",
                nameof(shape));
        }

        var lead = shape.Length - Rank;
        var dims = new int[shape.Length];
        var strides = new int[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            var own = i >= lead ? Dims[i - lead] : 1;
            var target = shape[i] == -1 && i >= lead ? own : shape[i];
            if (target < 0 || (own != target && own != 1))
            {
                throw new ArgumentException(
                    $"The expanded size of the tensor ({shape[i]}) must match the existing size ({own}) at non-singleton dimension {i}.  Target sizes: {Shapes.Format(shape)}.  Tensor sizes: {Shapes.Format(Dims)}",
                    nameof(shape));
            }

            dims[i] = target;
            strides[i] = i >= lead && own == target ? Strides[i - lead] : 0;
        }

        if (Shapes.Equal(dims, Dims))
        {
            return this;
        }

        return Record(View(dims, strides, Offset), () => new ExpandBackward0(Dims), this);
    }

    /// <summary>Reverses the order of elements along the given dimensions (a copy): <c>torch.flip</c>.</summary>
    public Tensor Flip(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var strides = (int[])Strides.Clone();
        var offset = Offset;
        var seen = new bool[Rank];
        foreach (var dim in dims)
        {
            var d = Shapes.WrapDim(dim, Rank, "flip");
            if (Rank == 0)
            {
                continue; // a scalar's dimension 0 (or −1) is itself: nothing to reverse
            }

            if (seen[d])
            {
                throw new ArgumentException($"dim {dim} appears multiple times in the list of dims {Shapes.Format(dims)}", nameof(dims));
            }

            seen[d] = true;
            if (Dims[d] > 0)
            {
                offset += (Dims[d] - 1) * Strides[d];
            }

            strides[d] = -Strides[d];
        }

        var flipped = new Tensor(View((int[])Dims.Clone(), strides, offset).ToArray(), (int[])Dims.Clone());
        var wrapped = seen.Select((s, d) => (s, d)).Where(p => p.s).Select(p => p.d).ToArray();
        return Record(flipped, () => new FlipBackward0(wrapped), this);
    }

    /// <summary>This tensor if its elements are in row-major order, else a contiguous copy.</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A contiguous copy with its own storage; gradients flow back to this tensor.</summary>
    public Tensor Clone()
    {
        var copy = Uninitialized((int[])Dims.Clone());
        CopyTo(copy.Storage.Data);
        return Record(copy, () => new CloneBackward0(), this);
    }

    /// <summary>Elements <paramref name="start"/> to start + length − 1 along a dimension: <c>tensor.narrow</c>.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        if (Rank == 0)
        {
            throw new ArgumentException("narrow() cannot be applied to a 0-dim tensor.", nameof(dim));
        }

        var d = Shapes.WrapDim(dim, Rank, "narrow");
        if (start < 0 || length < 0 || (long)start + length > Dims[d])
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                $"narrow: start ({start}) + length ({length}) exceeds dimension size ({Dims[d]}) of dimension {d} in a tensor of shape {Shapes.Format(Dims)}.");
        }

        return Record(NarrowView(d, start, length), () => new SliceBackward0(Dims, d, start, length), this);
    }

    /// <summary>The slice at <paramref name="index"/> along a dimension, which is removed: <c>tensor.select</c>.</summary>
    public Tensor Select(int dim, int index)
    {
        if (Rank == 0)
        {
            throw new ArgumentException("select() cannot be applied to a 0-dim tensor.", nameof(dim));
        }

        var d = Shapes.WrapDim(dim, Rank, "select");
        var size = Dims[d];
        if (index < -size || index >= size)
        {
            throw new ArgumentOutOfRangeException(
                nameof(index),
                $"index {index} is out of bounds for dimension {d} with size {size} (tensor of shape {Shapes.Format(Dims)}).");
        }

        var i = index < 0 ? index + size : index;
        return Record(SelectView(d, i), () => new SelectBackward0(Dims, d, i), this);
    }

    /// <summary>The sum of this tensor broadcast back to <paramref name="shape"/> (for gradients of broadcasts).</summary>
    internal Tensor SumTo(int[] shape) => Reductions.SumTo(this, shape);

    internal Tensor NarrowView(int d, int start, int length)
    {
        var dims = (int[])Dims.Clone();
        dims[d] = length;
        return View(dims, (int[])Strides.Clone(), Offset + (length == 0 ? 0 : start * Strides[d]));
    }

    internal Tensor SelectView(int d, int index) =>
        View([.. Dims[..d], .. Dims[(d + 1)..]], [.. Strides[..d], .. Strides[(d + 1)..]], Offset + (index * Strides[d]));

    private Tensor SwapAxes(int a, int b)
    {
        var dims = (int[])Dims.Clone();
        var strides = (int[])Strides.Clone();
        (dims[a], dims[b]) = (dims[b], dims[a]);
        (strides[a], strides[b]) = (strides[b], strides[a]);
        return View(dims, strides, Offset);
    }

    private int[] InferShape(int[] shape)
    {
        var dims = (int[])shape.Clone();
        var inferred = -1;
        long known = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new ArgumentException($"only one dimension can be inferred (shape {Shapes.Format(shape)})", nameof(shape));
                }

                inferred = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentException($"invalid shape dimension {dims[i]} in {Shapes.Format(shape)}", nameof(shape));
            }
            else
            {
                known = Math.Min(known * dims[i], (long)int.MaxValue + 1); // bounded: no overflow
            }
        }

        if (inferred >= 0)
        {
            if (known == 0 || NumElements % known != 0)
            {
                throw InvalidShape(shape);
            }

            dims[inferred] = (int)(NumElements / known);
        }

        if (inferred < 0 && known != NumElements)
        {
            throw InvalidShape(shape);
        }

        return dims;
    }

    private ArgumentException InvalidShape(int[] shape) =>
        new($"shape '{Shapes.Format(shape)}' is invalid for input of size {NumElements} (tensor of shape {Shapes.Format(Dims)})", nameof(shape));
}
