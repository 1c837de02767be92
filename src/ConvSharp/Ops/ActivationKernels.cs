using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Ops;

/// <summary>
/// Vectorised bodies (<see cref="Vector{T}"/>, scalar tails) of the activations and their
/// gradients over contiguous spans. Each vector lane computes the scalar formula; sigmoid and
/// tanh are evaluated in double (<see cref="Vector.Exp(Vector{double})"/>) and rounded once, so
/// they lie within an ulp of the exact value, vector body and scalar tail alike. No allocation per element.
/// </summary>
internal static class ActivationKernels
{
    /// <summary>y = 1 / (1 + e^−x), evaluated in double and rounded once (within an ulp of the exact value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<double>.One;
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xs, (nuint)i), out var low, out var high);
                var result = Vector.Narrow(one / (one + Vector.Exp(-low)), one / (one + Vector.Exp(-high)));
                Vector.StoreUnsafe(result, ref ys, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = (float)(1.0 / (1.0 + Math.Exp(-(double)x[i])));
        }
    }

    /// <summary>dx = g·y·(1 − y), y the sigmoid's output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var gs = ref MemoryMarshal.GetReference(g);
        ref var ds = ref MemoryMarshal.GetReference(dx);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Vector.LoadUnsafe(ref ys, (nuint)i);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref gs, (nuint)i) * v * (one - v), ref ds, (nuint)i);
            }
        }

        for (; i < y.Length; i++)
        {
            dx[i] = g[i] * y[i] * (1f - y[i]);
        }
    }

    /// <summary>y = max(x, 0), keeping NaN (x &lt; 0 ? 0 : x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Vector.LoadUnsafe(ref xs, (nuint)i);
                Vector.StoreUnsafe(Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), Vector<float>.Zero, v), ref ys, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] < 0f ? 0f : x[i];
        }
    }

    /// <summary>dx = y &gt; 0 ? g : 0, y the ReLU's output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var gs = ref MemoryMarshal.GetReference(g);
        ref var ds = ref MemoryMarshal.GetReference(dx);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var positive = Vector.GreaterThan(Vector.LoadUnsafe(ref ys, (nuint)i), Vector<float>.Zero);
                Vector.StoreUnsafe(Vector.ConditionalSelect(positive, Vector.LoadUnsafe(ref gs, (nuint)i), Vector<float>.Zero), ref ds, (nuint)i);
            }
        }

        for (; i < y.Length; i++)
        {
            dx[i] = y[i] > 0f ? g[i] : 0f;
        }
    }

    /// <summary>y = tanh x, computed in double and rounded once (a series near 0, (1 − e^−2|x|)/(1 + e^−2|x|) elsewhere).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xs, (nuint)i), out var low, out var high);
                Vector.StoreUnsafe(Vector.Narrow(Tanh(low), Tanh(high)), ref ys, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = MathF.Tanh(x[i]);
        }
    }

    /// <summary>dx = g·(1 − y²), y the tanh's output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var gs = ref MemoryMarshal.GetReference(g);
        ref var ds = ref MemoryMarshal.GetReference(dx);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Vector.LoadUnsafe(ref ys, (nuint)i);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref gs, (nuint)i) * (one - (v * v)), ref ds, (nuint)i);
            }
        }

        for (; i < y.Length; i++)
        {
            dx[i] = g[i] * (1f - (y[i] * y[i]));
        }
    }

    /// <summary>dx = g·mask (dropout's mask holds 0 or 1/(1 − p)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> product)
    {
        ref var xs = ref MemoryMarshal.GetReference(a);
        ref var ms = ref MemoryMarshal.GetReference(b);
        ref var ys = ref MemoryMarshal.GetReference(product);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref xs, (nuint)i) * Vector.LoadUnsafe(ref ms, (nuint)i), ref ys, (nuint)i);
            }
        }

        for (; i < a.Length; i++)
        {
            product[i] = a[i] * b[i];
        }
    }

    /// <summary>tanh in double: a 9th-order series below |x| = 1/16 (error below 1e-15 relative), the exponential form above.</summary>
    private static Vector<double> Tanh(Vector<double> x)
    {
        var one = Vector<double>.One;
        var a = Vector.Abs(x);
        var e = Vector.Exp(a * -2.0);
        var large = (one - e) / (one + e);
        var a2 = a * a;
        var series = a * (one + (a2 * (new Vector<double>(-1.0 / 3) + (a2 * (new Vector<double>(2.0 / 15) +
            (a2 * (new Vector<double>(-17.0 / 315) + (a2 * new Vector<double>(62.0 / 2835)))))))));
        var magnitude = Vector.ConditionalSelect(Vector.LessThan(a, new Vector<double>(0.0625)), series, large);
        var sign = Vector.AsVectorUInt64(x) & new Vector<ulong>(0x8000_0000_0000_0000UL);
        return Vector.AsVectorDouble(Vector.AsVectorUInt64(magnitude) | sign);
    }
}
