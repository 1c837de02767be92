namespace ConvSharp;

/// <summary>
/// An n-dimensional array of float32 values that can record the operations applied to it and
/// compute gradients by reverse-mode automatic differentiation, as <c>torch.Tensor</c> does.
/// </summary>
/// <remarks>
/// A tensor is a view: a shape, strides and an offset into a shared <see cref="TensorStorage"/>.
/// Reshaping a contiguous tensor, transposing, permuting, squeezing and slicing make new views
/// of the same storage, so writes through one are seen through the others. Tensors are plain
/// managed objects: there is nothing to dispose.
/// </remarks>
public partial class Tensor
{
    internal Tensor(TensorStorage storage, int[] dims, int[] strides, int offset)
    {
        Storage = storage;
        Dims = dims;
        Strides = strides;
        Offset = offset;
        NumElements = Shapes.NumElements(dims);
    }

    /// <summary>A new contiguous tensor over <paramref name="data"/>, which it takes ownership of.</summary>
    internal Tensor(float[] data, int[] dims)
        : this(new TensorStorage(data), dims, Shapes.ContiguousStrides(dims), 0)
    {
        if (data.Length != NumElements)
        {
            throw new ArgumentException(
                $"Shape {Shapes.Format(dims)} needs {NumElements} values, but {data.Length} were given.", nameof(data));
        }
    }

    /// <summary>A new contiguous tensor whose elements are undefined: the caller writes every one (through <see cref="Storage"/>).</summary>
    internal static Tensor Uninitialized(int[] dims) =>
        new(TensorStorage.Rent(Shapes.NumElements(dims)), dims, Shapes.ContiguousStrides(dims), 0);

    /// <summary>Wraps the storage of <paramref name="other"/> (used by <see cref="Nn.Parameter"/>).</summary>
    private protected Tensor(Tensor other)
        : this(other.Storage, (int[])other.Dims.Clone(), (int[])other.Strides.Clone(), other.Offset)
    {
        Base = other.Base ?? (other.IsWholeStorage ? null : other);
    }

    internal TensorStorage Storage { get; }

    /// <summary>The sizes, owned by this tensor; never handed out without a copy.</summary>
    internal int[] Dims { get; }

    internal int[] Strides { get; }

    internal int Offset { get; }

    /// <summary>The tensor this one is a view of, or <c>null</c> for a tensor that owns its storage.</summary>
    internal Tensor? Base { get; private init; }

    /// <summary>The size of every dimension (a copy): <c>tensor.shape</c>.</summary>
    public int[] Shape => (int[])Dims.Clone();

    /// <summary>The number of dimensions: <c>tensor.dim()</c>.</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of elements: <c>tensor.numel()</c>.</summary>
    public int NumElements { get; }

    /// <summary>Whether the elements lie in row-major order with no gaps (an empty tensor always does).</summary>
    public bool IsContiguous
    {
        get
        {
            if (NumElements == 0)
            {
                return true;
            }

            var expected = 1;
            for (var d = Dims.Length - 1; d >= 0; d--)
            {
                if (Dims[d] != 1 && Strides[d] != expected)
                {
                    return false;
                }

                expected *= Dims[d];
            }

            return true;
        }
    }

    private bool IsWholeStorage => Offset == 0 && IsContiguous && NumElements == Storage.Data.Length;

    /// <summary>The size of one dimension; negative dimensions count from the end.</summary>
    public int Size(int dim) => Rank == 0
        ? throw new ArgumentOutOfRangeException(nameof(dim), $"dimension specified as {dim} but tensor has no dimensions")
        : Dims[Shapes.WrapDim(dim, Rank)];

    /// <summary>A new view of this tensor's storage.</summary>
    internal Tensor View(int[] dims, int[] strides, int offset) =>
        new(Storage, dims, strides, offset) { Base = Base ?? this };

    /// <summary>The elements in row-major order: the storage itself when contiguous, else a copy.</summary>
    internal ReadOnlySpan<float> ContiguousSpan() =>
        NumElements == 0 ? [] : IsContiguous ? Storage.Data.AsSpan(Offset, NumElements) : ToArray(); // an empty view's offset may lie past its storage

    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray()
    {
        var result = new float[NumElements];
        CopyTo(result);
        return result;
    }

    /// <summary>A copy of a 2-D tensor's elements as a rectangular array.</summary>
    public float[,] ToArray2D()
    {
        if (Rank != 2)
        {
            throw new InvalidOperationException($"ToArray2D needs a 2-D tensor, but this one has shape {Shapes.Format(Dims)}.");
        }

        var values = ContiguousSpan();
        var result = new float[Dims[0], Dims[1]];
        for (var i = 0; i < Dims[0]; i++)
        {
            for (var j = 0; j < Dims[1]; j++)
            {
                result[i, j] = values[(i * Dims[1]) + j];
            }
        }

        return result;
    }

    /// <summary>The value of a one-element tensor: <c>tensor.item()</c>.</summary>
    public float Item()
    {
        if (NumElements != 1)
        {
            throw new InvalidOperationException(
                $"a Tensor with {NumElements} elements cannot be converted to Scalar (shape {Shapes.Format(Dims)}).");
        }

        return ContiguousSpan()[0];
    }

    /// <summary>The element at the given full index (one integer per dimension).</summary>
    internal float GetElement(ReadOnlySpan<int> index)
    {
        var offset = Offset;
        for (var d = 0; d < index.Length; d++)
        {
            offset += index[d] * Strides[d];
        }

        return Storage.Data[offset];
    }

    /// <summary>Formats the tensor exactly as PyTorch prints it.</summary>
    public override string ToString() => TensorFormatter.Format(this);

    /// <summary>Whether two tensors have the same shape and |a - b| ≤ atol + rtol·|b| everywhere (<c>torch.allclose</c>).</summary>
    public static bool AllClose(Tensor a, Tensor b, float rtol = 1e-5f, float atol = 1e-8f, bool equalNan = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = Shapes.Broadcast(a.Dims, b.Dims);
        var x = a.Expand(shape).ToArray();
        var y = b.Expand(shape).ToArray();
        for (var i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i]) || float.IsNaN(y[i]))
            {
                if (equalNan && float.IsNaN(x[i]) && float.IsNaN(y[i]))
                {
                    continue;
                }

                return false;
            }

            if (x[i] == y[i])
            {
                continue;
            }

            if (!(Math.Abs((double)x[i] - y[i]) <= atol + (rtol * Math.Abs((double)y[i]))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether two tensors have the same shape and exactly the same elements (<c>torch.equal</c>).</summary>
    public static bool Equal(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Shapes.Equal(a.Dims, b.Dims) && a.ContiguousSpan().SequenceEqual(b.ContiguousSpan());
    }
}
