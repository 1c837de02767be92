using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ConvSharp.Compute.Gemm;

namespace ConvSharp.Benchmarks.Measure;

/// <summary>
/// The machine's fp32 FMA peak, measured rather than assumed: every thread runs twelve
/// independent chains of vector FMAs (enough to cover the latency on two ports). The chains
/// live in a method with no calls in it: a vector live across a call is spilled to the stack
/// by the JIT, and the loop would then time store-to-load forwarding, not the FMA units.
/// </summary>
internal static class PeakFlops
{
    private const int Iterations = 1 << 20;

    /// <summary>The peak for the vector width <paramref name="kernel"/> computes with (128 bits for the scalar and 128-bit kernels).</summary>
    public static double Measure(int threads, GemmKernel kernel) => Measure(threads, kernel switch
    {
        GemmKernel.Avx512 => 512,
        GemmKernel.Avx2 => 256,
        _ => 128,
    });

    public static double Measure(int threads, int bits)
    {
        var results = new double[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            results[t] = bits switch
            {
                512 when Vector512.IsHardwareAccelerated => Time(() => Chains512(Iterations), 12 * 16 * 2),
                256 when Vector256.IsHardwareAccelerated => Time(() => Chains256(Iterations), 12 * 8 * 2),
                _ => Time(() => Chains128(Iterations), 12 * 4 * 2),
            };
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return results.Sum();
    }

    private static double Time(Func<float> chains, double flopsPerIteration)
    {
        var sink = 0f;
        var watch = Stopwatch.StartNew();
        long iterations = 0;
        while (watch.Elapsed.TotalMilliseconds < 300)
        {
            sink += chains();
            iterations += Iterations;
        }

        GC.KeepAlive(sink);
        return iterations * flopsPerIteration / watch.Elapsed.TotalSeconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(int n)
    {
        var a = Vector256.Create(0.5f);
        var b = Vector256.Create(0.5f);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0; i < n; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(a, b, c0);
            c1 = Vector256.FusedMultiplyAdd(a, b, c1);
            c2 = Vector256.FusedMultiplyAdd(a, b, c2);
            c3 = Vector256.FusedMultiplyAdd(a, b, c3);
            c4 = Vector256.FusedMultiplyAdd(a, b, c4);
            c5 = Vector256.FusedMultiplyAdd(a, b, c5);
            c6 = Vector256.FusedMultiplyAdd(a, b, c6);
            c7 = Vector256.FusedMultiplyAdd(a, b, c7);
            c8 = Vector256.FusedMultiplyAdd(a, b, c8);
            c9 = Vector256.FusedMultiplyAdd(a, b, c9);
            c10 = Vector256.FusedMultiplyAdd(a, b, c10);
            c11 = Vector256.FusedMultiplyAdd(a, b, c11);
        }

        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains128(int n)
    {
        // MultiplyAddEstimate: one fused instruction where there is FMA (and on ARM64), a multiply and an add otherwise.
        var a = Vector128.Create(0.5f);
        var b = Vector128.Create(0.5f);
        Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector128<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0; i < n; i++)
        {
            c0 = Vector128.MultiplyAddEstimate(a, b, c0);
            c1 = Vector128.MultiplyAddEstimate(a, b, c1);
            c2 = Vector128.MultiplyAddEstimate(a, b, c2);
            c3 = Vector128.MultiplyAddEstimate(a, b, c3);
            c4 = Vector128.MultiplyAddEstimate(a, b, c4);
            c5 = Vector128.MultiplyAddEstimate(a, b, c5);
            c6 = Vector128.MultiplyAddEstimate(a, b, c6);
            c7 = Vector128.MultiplyAddEstimate(a, b, c7);
            c8 = Vector128.MultiplyAddEstimate(a, b, c8);
            c9 = Vector128.MultiplyAddEstimate(a, b, c9);
            c10 = Vector128.MultiplyAddEstimate(a, b, c10);
            c11 = Vector128.MultiplyAddEstimate(a, b, c11);
        }

        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(int n)
    {
        var a = Vector512.Create(0.5f);
        var b = Vector512.Create(0.5f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0; i < n; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(a, b, c0);
            c1 = Vector512.FusedMultiplyAdd(a, b, c1);
            c2 = Vector512.FusedMultiplyAdd(a, b, c2);
            c3 = Vector512.FusedMultiplyAdd(a, b, c3);
            c4 = Vector512.FusedMultiplyAdd(a, b, c4);
            c5 = Vector512.FusedMultiplyAdd(a, b, c5);
            c6 = Vector512.FusedMultiplyAdd(a, b, c6);
            c7 = Vector512.FusedMultiplyAdd(a, b, c7);
            c8 = Vector512.FusedMultiplyAdd(a, b, c8);
            c9 = Vector512.FusedMultiplyAdd(a, b, c9);
            c10 = Vector512.FusedMultiplyAdd(a, b, c10);
            c11 = Vector512.FusedMultiplyAdd(a, b, c11);
        }

        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
