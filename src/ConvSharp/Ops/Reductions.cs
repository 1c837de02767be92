using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>Sum and mean over all or some dimensions (accumulated in double), and their gradients.</summary>
internal static class Reductions
{
    public static Tensor Sum(Tensor x)
    {
        var result = Tensor.Scalar((float)Total(x));
        return Tensor.Record(result, () => new SumBackward0(x.Dims), x);
    }

    public static Tensor Sum(Tensor x, int[] dims, bool keepDim)
    {
        var reduced = NormaliseDims(x, dims);
        var result = SumOver(x, reduced, keepDim);
        return Tensor.Record(result, () => new SumBackward1(x.Dims, reduced, keepDim), x);
    }

    public static Tensor Mean(Tensor x)
    {
        var result = Tensor.Scalar((float)(Total(x) / x.NumElements));
        return Tensor.Record(result, () => new MeanBackward0(x.Dims), x);
    }

    public static Tensor Mean(Tensor x, int[] dims, bool keepDim)
    {
        var reduced = NormaliseDims(x, dims);
        var count = 1;
        foreach (var d in reduced)
        {
            count *= x.Dims[d];
        }

        var sums = SumOver(x, reduced, keepDim);
        var result = Elementwise.Map(sums, new DivScalarOperator(count));
        return Tensor.Record(result, () => new MeanBackward1(x.Dims, reduced, keepDim, count), x);
    }

    /// <summary>
    /// Sums a broadcast gradient back to the shape of the input it came from: over leading
    /// dimensions the input did not have and over dimensions where the input had size 1.
    /// </summary>
    public static Tensor SumTo(Tensor g, int[] shape)
    {
        if (Shapes.Equal(g.Dims, shape))
        {
            return g;
        }

        var lead = g.Rank - shape.Length;
        var dims = new List<int>();
        for (var i = 0; i < g.Rank; i++)
        {
            if (i < lead || (shape[i - lead] == 1 && g.Dims[i] != 1))
            {
                dims.Add(i);
            }
        }

        var summed = dims.Count == 0 ? g : g.Sum([.. dims], keepDim: true);
        return summed.Reshape(shape);
    }

    /// <summary>Expands a reduced gradient back over the reduced dimensions.</summary>
    public static Tensor Unreduce(Tensor g, int[] inputShape, int[] reducedDims, bool keepDim)
    {
        if (!keepDim)
        {
            foreach (var d in reducedDims)
            {
                g = g.Unsqueeze(d);
            }
        }

        return g.Expand(inputShape);
    }

    /// <summary>
    /// The sum of every element in row-major order, read through the strides: a broadcast view
    /// (<c>Expand</c>) is summed without copying out the elements it repeats.
    /// </summary>
    private static double Total(Tensor x)
    {
        if (x.IsContiguous)
        {
            return Summation.Total(x.ContiguousSpan());
        }

        var kernel = new TotalRowKernel(x.Storage.Data);
        StridedLoop.Run(x.Dims, x.Strides, x.Offset, default, 0, default, 0, ref kernel);
        return kernel.Total;
    }

    private static int[] NormaliseDims(Tensor x, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var result = new SortedSet<int>();
        if (x.Rank == 0)
        {
            // A scalar's dimension 0 (or −1) is itself: reducing over it reduces nothing, as in PyTorch.
            foreach (var d in dims)
            {
                Shapes.WrapDim(d, 0, "sum/mean");
            }

            return [];
        }

        foreach (var d in dims)
        {
            if (!result.Add(Shapes.WrapDim(d, x.Rank, "sum/mean")))
            {
                throw new ArgumentException($"dim {d} appears multiple times in the list of dims {Shapes.Format(dims)}.", nameof(dims));
            }
        }

        return [.. result];
    }

    /// <summary>Sums over <paramref name="reduced"/> (sorted, unique) by moving those axes last.</summary>
    private static Tensor SumOver(Tensor x, int[] reduced, bool keepDim)
    {
        var kept = Enumerable.Range(0, x.Rank).Where(d => Array.BinarySearch(reduced, d) < 0).ToArray();
        int[] order = [.. kept, .. reduced];
        var permuted = x.View(
            [.. order.Select(d => x.Dims[d])],
            [.. order.Select(d => x.Strides[d])],
            x.Offset);
        var values = permuted.ContiguousSpan();
        var block = reduced.Aggregate(1, (n, d) => n * x.Dims[d]);
        var outCount = kept.Aggregate(1, (n, d) => n * x.Dims[d]);
        var result = new float[outCount];
        for (var i = 0; i < outCount; i++)
        {
            result[i] = block == 0 ? 0f : (float)Summation.Total(values.Slice(i * block, block));
        }

        var shape = keepDim
            ? [.. Enumerable.Range(0, x.Rank).Select(d => Array.BinarySearch(reduced, d) >= 0 ? 1 : x.Dims[d])]
            : kept.Select(d => x.Dims[d]).ToArray();
        return new Tensor(result, shape);
    }
}

internal sealed class SumBackward0(int[] inputShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.Expand(inputShape)];
}

internal sealed class SumBackward1(int[] inputShape, int[] dims, bool keepDim) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [Reductions.Unreduce(g, inputShape, dims, keepDim)];
}

internal sealed class MeanBackward0(int[] inputShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [(g / Shapes.NumElements(inputShape)).Expand(inputShape)];
}

internal sealed class MeanBackward1(int[] inputShape, int[] dims, bool keepDim, int count) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [Reductions.Unreduce(g / count, inputShape, dims, keepDim)];
}

/// <summary>Adds every run of operand 0 into a double, in order (a strided or broadcast view; its grouping differs from <see cref="Summation"/> only in double rounding).</summary>
internal struct TotalRowKernel(float[] data) : IRowKernel
{
    public double Total { get; private set; }

    public void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2)
    {
        var total = Total;
        for (var j = 0; j < length; j++)
        {
            total += data[o0 + (j * s0)];
        }

        Total = total;
    }
}
