using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Ops;

/// <summary>
/// The largest and smallest element of a run, with <see cref="MathF.Max"/>'s and
/// <see cref="MathF.Min"/>'s rules (IEEE 754-2019 maximum and minimum: a NaN wins, +0 &gt; −0).
/// Those rules make the result independent of the order of comparison, so the
/// <see cref="Vector{T}"/> body (<see cref="Vector.Max{T}"/> follows the same rules) gives
/// exactly the serial loop's answer.
/// </summary>
internal static class Extrema
{
    /// <summary>max over a non-empty run.</summary>
    public static float Max(ReadOnlySpan<float> values) => Reduce(values, new MaxPick());

    /// <summary>min over a non-empty run.</summary>
    public static float Min(ReadOnlySpan<float> values) => Reduce(values, new MinPick());

    /// <summary>One vector of running picks over the body, folded lane by lane, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Reduce<TPick>(ReadOnlySpan<float> values, TPick pick)
        where TPick : struct, IPick
    {
        var result = values[0];
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            ref var first = ref MemoryMarshal.GetReference(values);
            var best = Vector.LoadUnsafe(ref first);
            for (i = Vector<float>.Count; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                best = pick.Invoke(best, Vector.LoadUnsafe(ref first, (nuint)i));
            }

            result = best[0];
            for (var lane = 1; lane < Vector<float>.Count; lane++)
            {
                result = pick.Invoke(result, best[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            result = pick.Invoke(result, values[i]);
        }

        return result;
    }

    private interface IPick
    {
        float Invoke(float x, float y);

        Vector<float> Invoke(Vector<float> x, Vector<float> y);
    }

    private readonly struct MaxPick : IPick
    {
        public float Invoke(float x, float y) => MathF.Max(x, y);

        public Vector<float> Invoke(Vector<float> x, Vector<float> y) => Vector.Max(x, y);
    }

    private readonly struct MinPick : IPick
    {
        public float Invoke(float x, float y) => MathF.Min(x, y);

        public Vector<float> Invoke(Vector<float> x, Vector<float> y) => Vector.Min(x, y);
    }
}
