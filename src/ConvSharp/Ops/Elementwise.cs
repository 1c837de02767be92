namespace ConvSharp.Ops;

/// <summary>
/// Element-wise kernels with NumPy/PyTorch broadcasting over strided inputs. Results are new
/// contiguous tensors; autograd is recorded by the callers in <see cref="Arithmetic"/> and
/// <see cref="UnaryOps"/>. Contiguous runs go through the vector loops of
/// <see cref="ElementwiseLoops"/>; a long run is split into <see cref="ElementChunks"/> over the
/// threads (each element is computed alone, so the result is the same for any thread count).
/// </summary>
internal static class Elementwise
{
    public static Tensor Map<TOp>(Tensor x, TOp op)
        where TOp : struct, IUnaryOperator
    {
        var source = x.ContiguousSpan();
        var tensor = Tensor.Uninitialized((int[])x.Dims.Clone());
        var result = tensor.Storage.Data;
        if (ElementChunks.RunsInline(result.Length))
        {
            ElementwiseLoops.Map(source, result, op);
            return tensor;
        }

        ElementChunks.Map(source, result, (x, y) => ElementwiseLoops.Map(x, y, op));
        return tensor;
    }

    public static Tensor Zip<TOp>(Tensor a, Tensor b, TOp op)
        where TOp : struct, IBinaryOperator
    {
        var shape = Shapes.Broadcast(a.Dims, b.Dims);
        var tensor = Tensor.Uninitialized(shape);
        var result = tensor.Storage.Data;
        if (result.Length == 0)
        {
            return tensor; // empty operands may be views whose offsets lie past their storage
        }

        if (a.IsContiguous && b.IsContiguous && Shapes.Equal(a.Dims, b.Dims))
        {
            ZipContiguous(a.Storage.Data.AsSpan(a.Offset, result.Length), b.Storage.Data.AsSpan(b.Offset, result.Length), result, op);
        }
        else
        {
            var kernel = new ZipRowKernel<TOp>(result, a.Storage.Data, b.Storage.Data, op);
            StridedLoop.Run(
                shape,
                Shapes.ContiguousStrides(shape), 0,
                Shapes.BroadcastStrides(a, shape), a.Offset,
                Shapes.BroadcastStrides(b, shape), b.Offset,
                ref kernel);
        }

        return tensor;
    }

    private static void ZipContiguous<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float[] result, TOp op)
        where TOp : struct, IBinaryOperator
    {
        if (ElementChunks.RunsInline(result.Length))
        {
            ElementwiseLoops.Zip(a, b, result, op);
            return;
        }

        ElementChunks.Zip(a, b, result, (x, y, r) => ElementwiseLoops.Zip(x, y, r, op));
    }

    /// <summary>destination[i] = op(destination[i], source[i]) over a strided destination view, source broadcast to it.</summary>
    public static void UpdateInPlace<TOp>(Tensor destination, Tensor source, TOp op)
        where TOp : struct, IBinaryOperator
    {
        var lead = source.Rank - destination.Rank;
        if (lead > 0)
        {
            // Leading dimensions of size 1 broadcast away (the caller checked their sizes).
            source = source.View(source.Dims[lead..], source.Strides[lead..], source.Offset);
        }

        var kernel = new UpdateRowKernel<TOp>(destination.Storage.Data, source.Storage.Data, op);
        StridedLoop.Run(
            destination.Dims,
            destination.Strides, destination.Offset,
            Shapes.BroadcastStrides(source, destination.Dims), source.Offset,
            default, 0,
            ref kernel);
    }

    /// <summary>One output row (stride 1): vector loops when each input runs along it (stride 1) or is broadcast (stride 0).</summary>
    private readonly struct ZipRowKernel<TOp>(float[] result, float[] a, float[] b, TOp op) : IRowKernel
        where TOp : struct, IBinaryOperator
    {
        public void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2)
        {
            var target = result.AsSpan(o0, length);
            if (s1 == 1 && s2 == 1)
            {
                ElementwiseLoops.Zip(a.AsSpan(o1, length), b.AsSpan(o2, length), target, op);
            }
            else if (s1 == 1 && s2 == 0)
            {
                ElementwiseLoops.ZipRight(a.AsSpan(o1, length), b[o2], target, op);
            }
            else if (s1 == 0 && s2 == 1)
            {
                ElementwiseLoops.ZipLeft(a[o1], b.AsSpan(o2, length), target, op);
            }
            else
            {
                for (var j = 0; j < length; j++)
                {
                    target[j] = op.Invoke(a[o1 + (j * s1)], b[o2 + (j * s2)]);
                }
            }
        }
    }

    /// <summary>One destination row: the vector loops when it is contiguous and the source runs along it or is broadcast.</summary>
    private readonly struct UpdateRowKernel<TOp>(float[] destination, float[] source, TOp op) : IRowKernel
        where TOp : struct, IBinaryOperator
    {
        public void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2)
        {
            if (s0 == 1 && s1 == 1)
            {
                var run = destination.AsSpan(o0, length);
                ElementwiseLoops.Zip(run, source.AsSpan(o1, length), run, op); // the source never aliases the destination (Unaliased)
                return;
            }

            if (s0 == 1 && s1 == 0)
            {
                var run = destination.AsSpan(o0, length);
                ElementwiseLoops.ZipRight(run, source[o1], run, op);
                return;
            }

            for (var j = 0; j < length; j++)
            {
                ref var d = ref destination[o0 + (j * s0)];
                d = op.Invoke(d, source[o1 + (j * s1)]);
            }
        }
    }
}
