using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConvSharp.Compute;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Ops;

/// <summary>
/// Sums of float runs, accumulated in double. A long run is cut into fixed chunks of
/// <see cref="ElementChunks.Elements"/> (summed over the threads) whose partials are added in
/// chunk order, so the result does not depend on the thread count. Each chunk is summed by four
/// <see cref="Vector{T}"/> accumulators of doubles (16 partial sums with AVX2), a pairwise-like
/// grouping whose rounding error is at most that of the serial double sum it replaces; without
/// vector hardware it is that serial sum.
/// </summary>
internal static class Summation
{
    /// <summary>Σ values, in double.</summary>
    public static unsafe double Total(ReadOnlySpan<float> values)
    {
        if (values.Length < 2 * ElementChunks.Elements)
        {
            return Chunk(values);
        }

        var length = values.Length;
        var partials = new double[EvenSplit.Count(length, ElementChunks.Elements)];
        fixed (float* start = values)
        {
            // In bounds: every chunk [first, first + count) lies inside values.
            var origin = (nint)start;
            ParallelRunner.For(partials.Length, ConvPlanOptions.Current.Threads, c =>
            {
                var first = c * ElementChunks.Elements;
                var count = Math.Min(ElementChunks.Elements, length - first);
                partials[c] = Chunk(new ReadOnlySpan<float>((float*)origin + first, count));
            });
        }

        var total = 0.0;
        foreach (var partial in partials)
        {
            total += partial;
        }

        return total;
    }

    /// <summary>Σ values in double: four vector accumulators (two vectors of floats widened per step), then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Chunk(ReadOnlySpan<float> values)
    {
        var total = 0.0;
        var i = 0;
        var step = 2 * Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && values.Length >= step)
        {
            ref var first = ref MemoryMarshal.GetReference(values);
            var (s0, s1, s2, s3) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
            for (; i <= values.Length - step; i += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref first, (nuint)i), out var a, out var b);
                Vector.Widen(Vector.LoadUnsafe(ref first, (nuint)(i + Vector<float>.Count)), out var c, out var d);
                s0 += a;
                s1 += b;
                s2 += c;
                s3 += d;
            }

            total = Vector.Sum((s0 + s1) + (s2 + s3));
        }

        for (; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }
}
