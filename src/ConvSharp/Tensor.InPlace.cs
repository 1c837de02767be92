using ConvSharp.Autograd;
using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>
/// In-place updates (PyTorch's <c>add_</c>, <c>copy_</c>, <c>fill_</c>, …). Each bumps the
/// storage version, so a tensor that autograd saved and that is then changed is caught at
/// backward time. On a leaf that requires grad they are allowed only under <see cref="NoGrad"/>.
/// </summary>
public partial class Tensor
{
    /// <summary>this += other (broadcast): <c>tensor.add_(other)</c>.</summary>
    public Tensor AddInPlace(Tensor other) => Update(other, new AddOperator(), static (a, b) => a + b);

    /// <summary>this −= other (broadcast): <c>tensor.sub_(other)</c>.</summary>
    public Tensor SubInPlace(Tensor other) => Update(other, new SubOperator(), static (a, b) => a - b);

    /// <summary>this ×= other (broadcast): <c>tensor.mul_(other)</c>.</summary>
    public Tensor MulInPlace(Tensor other) => Update(other, new MulOperator(), static (a, b) => a * b);

    /// <summary>this ÷= other (broadcast): <c>tensor.div_(other)</c>.</summary>
    public Tensor DivInPlace(Tensor other) => Update(other, new DivOperator(), static (a, b) => a / b);

    /// <summary>Copies <paramref name="source"/> (broadcast) into this tensor: <c>tensor.copy_(source)</c>.</summary>
    public Tensor CopyFrom(Tensor source) => Update(source, new SecondOperator(), static (_, b) => b);

    /// <summary>Sets every element to <paramref name="value"/>: <c>tensor.fill_(value)</c>.</summary>
    public Tensor Fill(float value) => CopyFrom(value);

    /// <summary>Sets every element to 0: <c>tensor.zero_()</c>.</summary>
    public Tensor Zero() => Fill(0f);

    private Tensor Update<TOp>(Tensor other, TOp op, Func<Tensor, Tensor, Tensor> outOfPlace)
        where TOp : struct, IBinaryOperator
    {
        ArgumentNullException.ThrowIfNull(other);
        if (GradMode.IsEnabled && (RequiresGrad || other.RequiresGrad))
        {
            // Let CopySlices record it: same values, and autograd sees the new history.
            this[TensorIndex.Ellipsis] = outOfPlace(this, other);
            return this;
        }

        CheckBroadcastsTo(other);
        CheckWritable();
        Elementwise.UpdateInPlace(this, Unaliased(other), op);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>Copies without autograd bookkeeping (for kernels and backward functions).</summary>
    internal void CopyFromUnchecked(Tensor source)
    {
        Elementwise.UpdateInPlace(this, Unaliased(source), new SecondOperator());
        Storage.BumpVersion();
    }

    /// <summary>Copies a value that must broadcast to this shape, with the checks a user-facing write needs.</summary>
    internal void CopyFromChecked(Tensor source)
    {
        CheckBroadcastsTo(source);
        CheckWritable();
        CopyFromUnchecked(source);
    }

    // The arrays, not the storages: two Tensor.Wrap calls over one array have storages of their own.
    private Tensor Unaliased(Tensor source) =>
        ReferenceEquals(source.Storage.Data, Storage.Data) ? new Tensor(source.ToArray(), (int[])source.Dims.Clone()) : source;

    private void CheckBroadcastsTo(Tensor value)
    {
        var dims = value.Dims.AsSpan();
        while (dims.Length > Rank && dims[0] == 1)
        {
            dims = dims[1..];
        }

        var ok = dims.Length <= Rank;
        for (var i = 0; ok && i < dims.Length; i++)
        {
            var own = Dims[Rank - dims.Length + i];
            ok = dims[i] == own || dims[i] == 1;
        }

        if (!ok)
        {
            throw new ArgumentException(
                $"shape mismatch: value tensor of shape {Shapes.Format(value.Dims)} cannot be broadcast to indexing result of shape {Shapes.Format(Dims)}",
                nameof(value));
        }
    }

    private void CheckWritable()
    {
        if (NumElements == 0)
        {
            return; // no element to write, so none shares a location (an expanded empty view is fine)
        }

        for (var d = 0; d < Rank; d++)
        {
            if (Strides[d] == 0 && Dims[d] > 1)
            {
                throw new InvalidOperationException(
                    $"unsupported operation: more than one element of the written-to tensor (shape {Shapes.Format(Dims)}, an expanded view) " +
                    "refers to a single memory location. Please Clone() the tensor before performing the operation.");
            }
        }
    }
}
