using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Ops;

/// <summary>
/// The element-wise loops over contiguous spans: a <see cref="Vector{T}"/> body (8 floats with
/// AVX2, 4 with SSE or NEON) and a scalar tail for the last Count − 1 elements, or the scalar
/// loop alone when vectors are not accelerated (<c>DOTNET_EnableHWIntrinsic=0</c>). Each lane
/// computes the operator's scalar formula, so these agree with a plain loop (see
/// <see cref="IUnaryOperator"/>). Output spans may be the input spans themselves, never a
/// shifted overlap of them.
/// </summary>
internal static class ElementwiseLoops
{
    /// <summary>y[i] = op(x[i]); y at least as long as x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y, TOp op)
        where TOp : struct, IUnaryOperator
    {
        y = y[..x.Length]; // bounds: the unchecked loads and stores below stay inside both
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated && op.Vectorizable)
        {
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.StoreUnsafe(op.Invoke(Vector.LoadUnsafe(ref xs, (nuint)i)), ref ys, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = op.Invoke(x[i]);
        }
    }

    /// <summary>result[i] = op(a[i], b[i]); b and result at least as long as a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Zip<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result, TOp op)
        where TOp : struct, IBinaryOperator
    {
        b = b[..a.Length];
        result = result[..a.Length];
        ref var xs = ref MemoryMarshal.GetReference(a);
        ref var ys = ref MemoryMarshal.GetReference(b);
        ref var rs = ref MemoryMarshal.GetReference(result);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = op.Invoke(Vector.LoadUnsafe(ref xs, (nuint)i), Vector.LoadUnsafe(ref ys, (nuint)i));
                Vector.StoreUnsafe(v, ref rs, (nuint)i);
            }
        }

        for (; i < a.Length; i++)
        {
            result[i] = op.Invoke(a[i], b[i]);
        }
    }

    /// <summary>result[i] = op(a[i], b): the second operand broadcast along the run; result at least as long as a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ZipRight<TOp>(ReadOnlySpan<float> a, float b, Span<float> result, TOp op)
        where TOp : struct, IBinaryOperator
    {
        result = result[..a.Length];
        ref var xs = ref MemoryMarshal.GetReference(a);
        ref var rs = ref MemoryMarshal.GetReference(result);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var y = new Vector<float>(b);
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.StoreUnsafe(op.Invoke(Vector.LoadUnsafe(ref xs, (nuint)i), y), ref rs, (nuint)i);
            }
        }

        for (; i < a.Length; i++)
        {
            result[i] = op.Invoke(a[i], b);
        }
    }

    /// <summary>result[i] = op(a, b[i]): the first operand broadcast along the run; result at least as long as b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ZipLeft<TOp>(float a, ReadOnlySpan<float> b, Span<float> result, TOp op)
        where TOp : struct, IBinaryOperator
    {
        result = result[..b.Length];
        ref var ys = ref MemoryMarshal.GetReference(b);
        ref var rs = ref MemoryMarshal.GetReference(result);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var x = new Vector<float>(a);
            for (; i <= b.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.StoreUnsafe(op.Invoke(x, Vector.LoadUnsafe(ref ys, (nuint)i)), ref rs, (nuint)i);
            }
        }

        for (; i < b.Length; i++)
        {
            result[i] = op.Invoke(a, b[i]);
        }
    }
}
