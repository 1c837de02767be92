using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>
/// Exchange with spans and arrays: <see cref="From(ReadOnlySpan{float}, int[])"/> copies in,
/// <see cref="Wrap(float[], int[])"/> shares an array (<c>torch.from_numpy</c>),
/// <see cref="AsReadOnlySpan"/> and <see cref="AsSpan"/> share the elements out (<c>t.numpy()</c>),
/// <see cref="CopyTo"/> copies them out.
/// </summary>
/// <remarks>
/// There is no <c>Wrap(Memory&lt;float&gt;)</c>: a storage is a <c>float[]</c> that every kernel
/// indexes (and pins) directly, and memory that is not an array (native memory, a
/// <c>MemoryManager</c>) would put an indirection into every one of them.
/// </remarks>
public partial class Tensor
{
    /// <summary>A 1-D tensor copied from <paramref name="values"/>: <c>torch.tensor(values)</c>.</summary>
    /// <param name="values">the elements; the tensor keeps a copy, so later changes to them are not seen</param>
    public static Tensor From(ReadOnlySpan<float> values) => new(values.ToArray(), [values.Length]);

    /// <summary>A tensor of the given shape copied from row-major <paramref name="values"/>.</summary>
    /// <remarks>
    /// The tensor owns a copy: later changes to <paramref name="values"/> are not seen, and writes
    /// to the tensor do not reach them. To share an array instead, use <see cref="Wrap(float[], int[])"/>.
    /// </remarks>
    /// <param name="values">the elements in row-major order, exactly as many as the shape holds</param>
    /// <param name="shape">the size of each dimension; none for a 0-dimensional tensor of one value</param>
    /// <exception cref="ArgumentException">the shape holds another number of elements, or has a negative size</exception>
    /// <example><c>Tensor.From(stackalloc float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)</c></example>
    public static Tensor From(ReadOnlySpan<float> values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        CheckHolds(shape, values.Length, nameof(values));
        return new Tensor(values.ToArray(), (int[])shape.Clone());
    }

    /// <summary>A 1-D tensor over <paramref name="data"/> itself, not a copy: <c>torch.from_numpy(data)</c>.</summary>
    /// <param name="data">the storage to share; see <see cref="Wrap(float[], int[])"/> for the aliasing rules</param>
    public static Tensor Wrap(float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Tensor(data, [data.Length]);
    }

    /// <summary>
    /// A contiguous tensor of the given shape over <paramref name="data"/> itself, not a copy:
    /// <c>torch.from_numpy(data).reshape(shape)</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The tensor and the array are one memory: a write to the array is seen by the tensor and by
    /// every view of it, and in-place operations on the tensor (<see cref="AddInPlace"/>,
    /// <see cref="CopyFrom"/>, indexed assignment, an optimizer's step when the tensor backs a
    /// <see cref="Nn.Parameter"/>) write into the array. Operations that make new tensors
    /// (<c>a + b</c>, <see cref="Clone"/>, <see cref="Contiguous"/> of a transposed view) do not.
    /// </para>
    /// <para>
    /// Autograd: ConvSharp's version counter (PyTorch's <c>_version</c>) sees writes made through
    /// the tensor, so a tensor that a recorded operation saved for backward and that is then changed
    /// in place makes <see cref="Backward"/> throw. Writes made straight to the array bypass that
    /// counter: if the array changes after the tensor took part in a recorded operation and before
    /// <see cref="Backward"/>, gradients are computed from the new values, silently, exactly as
    /// <c>torch.from_numpy</c> behaves when the NumPy array is changed. Change the array before you
    /// compute with the tensor, or after the backward pass, or wrap a copy. Each call wraps anew, with a
    /// counter of its own: a write through a second <c>Wrap</c> of the same array is, to the first,
    /// a write straight to the array.
    /// </para>
    /// </remarks>
    /// <param name="data">the storage to share, row-major, exactly as many elements as the shape holds</param>
    /// <param name="shape">the size of each dimension; none for a 0-dimensional tensor over a one-element array</param>
    /// <exception cref="ArgumentException">the shape holds another number of elements, or has a negative size</exception>
    public static Tensor Wrap(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        CheckHolds(shape, data.Length, nameof(data));
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>The elements of a contiguous tensor, read live from its storage: <c>t.detach().numpy()</c>, read-only.</summary>
    /// <remarks>
    /// No copy: later in-place writes to the tensor (or to any tensor sharing its storage) show
    /// through the span. Allowed on every contiguous tensor, gradients or not; a view with an
    /// offset (a row of a matrix, <c>t[1..]</c>) gives just its own elements.
    /// </remarks>
    /// <exception cref="InvalidOperationException">the tensor is not contiguous (a transpose, a strided slice, an expanded view)</exception>
    public ReadOnlySpan<float> AsReadOnlySpan() => ContiguousElements(nameof(AsReadOnlySpan));

    /// <summary>The elements of a contiguous tensor, writable in place: <c>t.numpy()</c>.</summary>
    /// <remarks>
    /// <para>
    /// No copy: writes through the span change the tensor and every view sharing its storage. A
    /// view with an offset (a row of a matrix, <c>t[1..]</c>) gives just its own elements.
    /// </para>
    /// <para>
    /// Like <c>numpy()</c>, this refuses a tensor that requires grad: a write through the span would
    /// change a value autograd depends on without autograd knowing. Take
    /// <c>t.Detach().AsSpan()</c> (or <c>t.Data.AsSpan()</c>) to update a parameter by hand, or
    /// <see cref="AsReadOnlySpan"/> to read. Handing out the span counts as an in-place write for the
    /// version counter, so if a recorded operation saved this storage for backward,
    /// <see cref="Backward"/> throws rather than use values that may have changed: read through
    /// <see cref="AsReadOnlySpan"/> when you only read.
    /// </para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">the tensor requires grad, or is not contiguous</exception>
    public Span<float> AsSpan()
    {
        if (RequiresGrad)
        {
            throw new InvalidOperationException(
                $"Can't call AsSpan() on a tensor that requires grad (shape {Shapes.Format(Dims)}): a write through the span " +
                "would bypass autograd. Use tensor.Detach().AsSpan() to write, or AsReadOnlySpan() to read.");
        }

        var elements = ContiguousElements(nameof(AsSpan));
        Storage.BumpVersion(); // the caller may write: a graph that saved this storage must not read it unchecked
        return NumElements == 0 ? [] : Storage.Data.AsSpan(Offset, elements.Length);
    }

    /// <summary>Copies the elements in row-major order into the start of <paramref name="destination"/>, whatever the strides.</summary>
    /// <param name="destination">at least <see cref="NumElements"/> long; elements past that are left as they were</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the tensor</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < NumElements)
        {
            throw new ArgumentException(
                $"Destination is too short: the tensor of shape {Shapes.Format(Dims)} has {NumElements} elements, " +
                $"but the destination holds {destination.Length}.",
                nameof(destination));
        }

        if (NumElements == 0)
        {
            return; // an empty view's offset may lie past its storage
        }

        if (IsContiguous)
        {
            Storage.Data.AsSpan(Offset, NumElements).CopyTo(destination); // Span.CopyTo handles overlap
            return;
        }

        if (destination.Overlaps(Storage.Data))
        {
            // A strided gather into memory it reads from would overwrite elements before reading them.
            ToArray().CopyTo(destination);
            return;
        }

        var kernel = new SpanCopyRowKernel(destination, Storage.Data);
        StridedLoop.Run(Dims, Shapes.ContiguousStrides(Dims), 0, Strides, Offset, default, 0, ref kernel);
    }

    /// <summary>The span of a contiguous tensor's own elements; a clear error for any other.</summary>
    private ReadOnlySpan<float> ContiguousElements(string caller)
    {
        if (!IsContiguous)
        {
            throw new InvalidOperationException(
                $"{caller}() needs a contiguous tensor, but this one has shape {Shapes.Format(Dims)} and strides {Shapes.Format(Strides)}. " +
                $"Call .Contiguous() first (a copy), or CopyTo(span) to copy the elements out in row-major order.");
        }

        return NumElements == 0 ? [] : Storage.Data.AsSpan(Offset, NumElements); // an empty view's offset may lie past its storage
    }

    /// <summary>Throws unless <paramref name="shape"/> holds exactly <paramref name="length"/> elements.</summary>
    private static void CheckHolds(int[] shape, int length, string paramName)
    {
        var count = Shapes.NumElements(shape);
        if (count != length)
        {
            throw new ArgumentException(
                $"Shape {Shapes.Format(shape)} holds {count} elements, but {length} values were given.", paramName);
        }
    }
}
