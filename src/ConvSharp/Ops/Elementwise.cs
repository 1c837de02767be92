namespace ConvSharp.Ops;

/// <summary>A function of one float, as a struct so the JIT inlines it into the loop.</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);
}

/// <summary>A function of two floats, as a struct so the JIT inlines it into the loop.</summary>
internal interface IBinaryOperator
{
    float Invoke(float x, float y);
}

/// <summary>
/// Element-wise kernels with NumPy/PyTorch broadcasting over strided inputs. Results are new
/// contiguous tensors; autograd is recorded by the callers in <see cref="Arithmetic"/> and
/// <see cref="UnaryOps"/>.
/// </summary>
internal static class Elementwise
{
    public static Tensor Map<TOp>(Tensor x, TOp op)
        where TOp : struct, IUnaryOperator
    {
        var source = x.ContiguousSpan();
        var tensor = Tensor.Uninitialized((int[])x.Dims.Clone());
        var result = tensor.Storage.Data;
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = op.Invoke(source[i]);
        }

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
            var x = a.Storage.Data.AsSpan(a.Offset, result.Length);
            var y = b.Storage.Data.AsSpan(b.Offset, result.Length);
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = op.Invoke(x[i], y[i]);
            }
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

    private readonly struct ZipRowKernel<TOp>(float[] result, float[] a, float[] b, TOp op) : IRowKernel
        where TOp : struct, IBinaryOperator
    {
        public void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2)
        {
            for (var j = 0; j < length; j++)
            {
                result[o0 + j] = op.Invoke(a[o1 + (j * s1)], b[o2 + (j * s2)]);
            }
        }
    }

    private readonly struct UpdateRowKernel<TOp>(float[] destination, float[] source, TOp op) : IRowKernel
        where TOp : struct, IBinaryOperator
    {
        public void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2)
        {
            for (var j = 0; j < length; j++)
            {
                ref var d = ref destination[o0 + (j * s0)];
                d = op.Invoke(d, source[o1 + (j * s1)]);
            }
        }
    }
}

// The operators themselves: one line each.
internal readonly struct AddOperator : IBinaryOperator { public float Invoke(float x, float y) => x + y; }
internal readonly struct SubOperator : IBinaryOperator { public float Invoke(float x, float y) => x - y; }
internal readonly struct MulOperator : IBinaryOperator { public float Invoke(float x, float y) => x * y; }
internal readonly struct DivOperator : IBinaryOperator { public float Invoke(float x, float y) => x / y; }
internal readonly struct SecondOperator : IBinaryOperator { public float Invoke(float x, float y) => y; }
internal readonly struct AddScalarOperator(float s) : IUnaryOperator { public float Invoke(float x) => x + s; }
internal readonly struct MulScalarOperator(float s) : IUnaryOperator { public float Invoke(float x) => x * s; }
internal readonly struct DivScalarOperator(float s) : IUnaryOperator { public float Invoke(float x) => x / s; }
internal readonly struct ScalarSubOperator(float s) : IUnaryOperator { public float Invoke(float x) => s - x; }
internal readonly struct NegOperator : IUnaryOperator { public float Invoke(float x) => -x; }
internal readonly struct ExpOperator : IUnaryOperator { public float Invoke(float x) => MathF.Exp(x); }
internal readonly struct LogOperator : IUnaryOperator { public float Invoke(float x) => MathF.Log(x); }
internal readonly struct SqrtOperator : IUnaryOperator { public float Invoke(float x) => MathF.Sqrt(x); }
internal readonly struct AbsOperator : IUnaryOperator { public float Invoke(float x) => MathF.Abs(x); }
internal readonly struct SignOperator : IUnaryOperator { public float Invoke(float x) => x > 0f ? 1f : x < 0f ? -1f : 0f; }

internal readonly struct PowOperator(float exponent) : IUnaryOperator
{
    public float Invoke(float x) => exponent switch
    {
        2f => x * x,
        1f => x,
        0f => 1f,
        _ => MathF.Pow(x, exponent),
    };
}
