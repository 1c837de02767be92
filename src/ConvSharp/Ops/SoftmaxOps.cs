using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>
/// Softmax and log-softmax along one dimension, numerically stable (the maximum is subtracted
/// first), and their gradients. The tensor is read as (outer, size, inner) with the reduced
/// dimension in the middle; rows along the last dimension (inner = 1) run on vectors.
/// </summary>
internal static class SoftmaxOps
{
    public static Tensor Softmax(Tensor x, int dim, bool log)
    {
        var d = Shapes.WrapDim(dim, x.Rank, log ? "log_softmax" : "softmax");
        var (outer, size, inner) = Layout(x.Dims, d);
        var source = x.ContiguousSpan();
        var result = Tensor.Uninitialized((int[])x.Dims.Clone());
        var y = result.Storage.Data.AsSpan();
        for (var o = 0; o < outer; o++)
        {
            var block = o * size * inner;
            if (inner == 1)
            {
                ForwardRow(source.Slice(block, size), y.Slice(block, size), log);
            }
            else
            {
                for (var j = 0; j < inner; j++)
                {
                    ForwardStrided(source, y, block + j, size, inner, log);
                }
            }
        }

        return Tensor.Record(result, () => log ? new LogSoftmaxBackward0(result, d) : new SoftmaxBackward0(result, d), x);
    }

    /// <summary>Sizes before the dimension, of it, and after it (a scalar is one row of one).</summary>
    public static (int Outer, int Size, int Inner) Layout(int[] dims, int d)
    {
        if (dims.Length == 0)
        {
            return (1, 1, 1);
        }

        var outer = 1;
        for (var i = 0; i < d; i++)
        {
            outer *= dims[i];
        }

        var inner = 1;
        for (var i = d + 1; i < dims.Length; i++)
        {
            inner *= dims[i];
        }

        return (dims[d] == 0 ? 0 : outer, dims[d], inner);
    }

    /// <summary>The gradient given the saved output y: softmax y·(g − Σ g·y), log-softmax g − e^y·Σ g.</summary>
    public static Tensor Backward(Tensor output, Tensor g, int d, bool log)
    {
        if (!Shapes.Equal(g.Dims, output.Dims))
        {
            g = g.Expand(output.Dims);
        }

        var (outer, size, inner) = Layout(output.Dims, d);
        var y = output.ContiguousSpan();
        var gradient = g.ContiguousSpan();
        var result = Tensor.Uninitialized((int[])output.Dims.Clone());
        var dx = result.Storage.Data.AsSpan();
        for (var o = 0; o < outer; o++)
        {
            var block = o * size * inner;
            if (inner == 1)
            {
                BackwardRow(y.Slice(block, size), gradient.Slice(block, size), dx.Slice(block, size), log);
            }
            else
            {
                for (var j = 0; j < inner; j++)
                {
                    BackwardStrided(y, gradient, dx, block + j, size, inner, log);
                }
            }
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        var max = Max(x);
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated)
        {
            var vmax = new Vector<float>(max);
            var acc = Vector<float>.Zero;
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var e = Vector.Exp(Vector.LoadUnsafe(ref xs, (nuint)i) - vmax);
                acc += e;
                if (!log)
                {
                    Vector.StoreUnsafe(e, ref ys, (nuint)i);
                }
            }

            sum = Vector.Sum(acc);
        }

        for (; i < x.Length; i++)
        {
            var e = MathF.Exp(x[i] - max);
            sum += e;
            if (!log)
            {
                y[i] = e;
            }
        }

        i = 0;
        if (log)
        {
            var logSum = MathF.Log(sum);
            if (Vector.IsHardwareAccelerated)
            {
                var (vmax, vlog) = (new Vector<float>(max), new Vector<float>(logSum));
                for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    Vector.StoreUnsafe(Vector.LoadUnsafe(ref xs, (nuint)i) - vmax - vlog, ref ys, (nuint)i);
                }
            }

            for (; i < x.Length; i++)
            {
                y[i] = x[i] - max - logSum;
            }
        }
        else
        {
            if (Vector.IsHardwareAccelerated)
            {
                var vsum = new Vector<float>(sum);
                for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    Vector.StoreUnsafe(Vector.LoadUnsafe(ref ys, (nuint)i) / vsum, ref ys, (nuint)i);
                }
            }

            for (; i < x.Length; i++)
            {
                y[i] /= sum;
            }
        }
    }

    private static void ForwardStrided(ReadOnlySpan<float> x, Span<float> y, int start, int size, int stride, bool log)
    {
        var max = x[start];
        for (var i = 1; i < size; i++)
        {
            var v = x[start + (i * stride)];
            max = v > max || float.IsNaN(v) ? v : max;
        }

        var sum = 0f;
        for (var i = 0; i < size; i++)
        {
            var k = start + (i * stride);
            var e = MathF.Exp(x[k] - max);
            sum += e;
            y[k] = e;
        }

        var logSum = MathF.Log(sum);
        for (var i = 0; i < size; i++)
        {
            var k = start + (i * stride);
            y[k] = log ? x[k] - max - logSum : y[k] / sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, bool log)
    {
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var gs = ref MemoryMarshal.GetReference(g);
        ref var ds = ref MemoryMarshal.GetReference(dx);
        var n = y.Length;
        var i = 0;
        var total = 0f;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
                acc += log ? gv : gv * Vector.LoadUnsafe(ref ys, (nuint)i);
            }

            total = Vector.Sum(acc);
        }

        for (; i < n; i++)
        {
            total += log ? g[i] : g[i] * y[i];
        }

        i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vt = new Vector<float>(total);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gv = Vector.LoadUnsafe(ref gs, (nuint)i);
                var yv = Vector.LoadUnsafe(ref ys, (nuint)i);
                Vector.StoreUnsafe(log ? gv - (Vector.Exp(yv) * vt) : yv * (gv - vt), ref ds, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            dx[i] = log ? g[i] - (MathF.Exp(y[i]) * total) : y[i] * (g[i] - total);
        }
    }

    private static void BackwardStrided(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, int start, int size, int stride, bool log)
    {
        var total = 0f;
        for (var i = 0; i < size; i++)
        {
            var k = start + (i * stride);
            total += log ? g[k] : g[k] * y[k];
        }

        for (var i = 0; i < size; i++)
        {
            var k = start + (i * stride);
            dx[k] = log ? g[k] - (MathF.Exp(y[k]) * total) : y[k] * (g[k] - total);
        }
    }

    /// <summary>The largest value; NaN if any is NaN (then every output is NaN, as in PyTorch).</summary>
    private static float Max(ReadOnlySpan<float> x)
    {
        var max = float.NegativeInfinity;
        foreach (var v in x)
        {
            if (!(v <= max))
            {
                max = v;
                if (float.IsNaN(v))
                {
                    break;
                }
            }
        }

        return max;
    }
}

internal sealed class SoftmaxBackward0(Tensor result, int dim) : Node
{
    private readonly SavedTensor _result = new(result);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [SoftmaxOps.Backward(_result.Get(this), g, dim, log: false)];
}

internal sealed class LogSoftmaxBackward0(Tensor result, int dim) : Node
{
    private readonly SavedTensor _result = new(result);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) => [SoftmaxOps.Backward(_result.Get(this), g, dim, log: true)];
}
