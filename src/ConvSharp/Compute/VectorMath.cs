using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Compute;

/// <summary>
/// The few element-wise loops the engine needs (TensorPrimitives lives in a package, and the
/// core library takes none): <see cref="Vector{T}"/> bodies with scalar tails.
/// </summary>
internal static class VectorMath
{
    /// <summary>destination[i] += source[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInPlace(Span<float> destination, ReadOnlySpan<float> source)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination);
            var s = MemoryMarshal.Cast<float, Vector<float>>(source[..destination.Length]);
            for (var v = 0; v < d.Length; v++)
            {
                d[v] += s[v];
            }

            i = d.Length * Vector<float>.Count;
        }

        for (; i < destination.Length; i++)
        {
            destination[i] += source[i];
        }
    }

    /// <summary>destination[i] += value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInPlace(Span<float> destination, float value)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination);
            var add = new Vector<float>(value);
            for (var v = 0; v < d.Length; v++)
            {
                d[v] += add;
            }

            i = d.Length * Vector<float>.Count;
        }

        for (; i < destination.Length; i++)
        {
            destination[i] += value;
        }
    }

    /// <summary>Whether every value is finite: v − v is 0 for a finite v and NaN for ±∞ and NaN.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var bad = Vector<float>.Zero;
            for (; i + Vector<float>.Count <= values.Length; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values[i..]);
                bad += v - v;
            }

            if (!Vector.EqualsAll(bad, Vector<float>.Zero))
            {
                return false;
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }
}
