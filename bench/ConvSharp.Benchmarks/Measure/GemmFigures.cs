using ConvSharp.Compute;
using ConvSharp.Compute.Gemm;

namespace ConvSharp.Benchmarks.Measure;

/// <summary>GFLOP/s of <see cref="Sgemm"/> on a few shapes, for tuning the blocking.</summary>
internal static unsafe class GemmFigures
{
    public static void Run(int threads)
    {
        var kernel = CpuCaps.Current.Kernel;
        var peak = PeakFlops.Measure(threads, kernel == GemmKernel.Avx512);
        Console.WriteLine($"kernel {kernel}, {threads} threads, peak {peak / 1e9:F1} GFLOP/s");
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
}
