using ConvSharp.Compute;
using ConvSharp.Compute.Gemm;

namespace ConvSharp.Benchmarks.Measure;

/// <summary>
/// GFLOP/s of <see cref="Sgemm"/> on square and conv-shaped products, and of the micro-kernel
/// alone on panels that sit in L1, each as a share of the measured FMA peak at the kernel's width.
/// </summary>
internal static unsafe class GemmFigures
{
    public static void Run(int threads)
    {
        var kernel = CpuCaps.Current.Kernel;
        var blocking = GemmBlocking.For(kernel);
        Console.WriteLine($"caches: {CacheHierarchy.Current}");
        Console.WriteLine($"blocking: {blocking}");
        var peakOne = PeakFlops.Measure(1, kernel);
        var peak = threads == 1 ? peakOne : PeakFlops.Measure(threads, kernel);
        Console.WriteLine($"peak: {peakOne / 1e9:F1} GFLOP/s on 1 thread, {peak / 1e9:F1} on {threads}");

        var inL1 = MicroKernelInL1(kernel, blocking);
        Console.WriteLine($"micro-kernel alone, panels in L1 (kc {blocking.KC}): {inL1 / 1e9,7:F1} GFLOP/s {100 * inL1 / peakOne,5:F1} % of 1-thread peak");
        foreach (var (m, n, k) in new[] { (512, 512, 512), (1024, 1024, 1024), (64, 3136, 576), (128, 12544, 1152), (256, 784, 256), (64, 12544, 147) })
        {
            var random = new System.Random(1);
            var a = new float[m * k];
            var b = new float[k * n];
            var c = new float[m * n];
            for (var i = 0; i < a.Length; i++)
            {
                a[i] = (float)random.NextDouble();
            }

            for (var i = 0; i < b.Length; i++)
            {
                b[i] = (float)random.NextDouble();
            }

            var ms = Timing.Median(() =>
            {
                fixed (float* pa = a, pb = b, pc = c)
                {
                    Sgemm.Multiply(kernel, m, n, k, pa, k, 1, pb, n, 1, pc, n, false, threads);
                }
            });
            var gflops = 2.0 * m * n * k / (ms * 1e6);
            Console.WriteLine($"{m,5} x {n,6} x {k,5}: {ms,8:F3} ms {gflops,7:F1} GFLOP/s {100 * gflops * 1e9 / peak,5:F1} % of peak");
        }
    }

    /// <summary>FLOP/s of one thread calling the micro-kernel over and over on the same A and B panels (KC deep).</summary>
    private static double MicroKernelInL1(GemmKernel kernel, GemmBlocking blocking) => kernel switch
    {
        GemmKernel.Avx512 => InL1<MicroKernelAvx512x6x64>(blocking.KC),
        GemmKernel.Avx2 => InL1<MicroKernelAvx2x6x16>(blocking.KC),
        GemmKernel.AdvSimd => InL1<MicroKernelAdvSimd6x16>(blocking.KC),
        GemmKernel.Vector128 => InL1<MicroKernelVector128x6x8>(blocking.KC),
        _ => InL1<MicroKernelScalar>(blocking.KC),
    };

    private static double InL1<TKernel>(int kc)
        where TKernel : struct, IMicroKernel
    {
        var a = GC.AllocateArray<float>(kc * TKernel.MR, pinned: true);
        var b = GC.AllocateArray<float>(kc * TKernel.NR, pinned: true);
        var c = GC.AllocateArray<float>(TKernel.MR * TKernel.NR, pinned: true);
        a.AsSpan().Fill(0.5f);
        b.AsSpan().Fill(0.25f);
        const int calls = 1000;
        var ms = Timing.Median(() =>
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                for (var i = 0; i < calls; i++)
                {
                    TKernel.Run(kc, pa, pb, pc, TKernel.NR, accumulate: true);
                }
            }
        });
        return 2.0 * TKernel.MR * TKernel.NR * kc * calls / (ms * 1e-3);
    }
}
