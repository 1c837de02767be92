using BenchmarkDotNet.Attributes;
using ConvSharp.Compute;
using ConvSharp.Compute.Gemm;

namespace ConvSharp.Benchmarks.Micro;

/// <summary>SGEMM per micro-kernel on a square and a conv-shaped product (run: micro --filter *Gemm*).</summary>
[MemoryDiagnoser]
public unsafe class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    public static IEnumerable<string> Kernels()
    {
        yield return nameof(GemmKernel.Scalar);
        if (CpuCaps.Current.Vector256Fma)
        {
            yield return nameof(GemmKernel.Avx2);
        }

        if (CpuCaps.Current.Vector512Fma)
        {
            yield return nameof(GemmKernel.Avx512);
        }

        if (System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported)
        {
            yield return nameof(GemmKernel.AdvSimd);
        }

        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
        {
            yield return nameof(GemmKernel.Vector128);
        }
    }

    [ParamsSource(nameof(Kernels))]
    public string Kernel { get; set; } = nameof(GemmKernel.Avx2);

    [Params("512x512x512", "64x3136x576")]
    public string Shape { get; set; } = "512x512x512";

    private (int M, int N, int K) Sizes
    {
        get
        {
            var parts = Shape.Split('x').Select(int.Parse).ToArray();
            return (parts[0], parts[1], parts[2]);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var (m, n, k) = Sizes;
        var random = new System.Random(1);
        _a = [.. Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble())];
        _b = [.. Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble())];
        _c = new float[m * n];
    }

    [Benchmark]
    public void Multiply()
    {
        var (m, n, k) = Sizes;
        fixed (float* a = _a, b = _b, c = _c)
        {
            Sgemm.Multiply(Enum.Parse<GemmKernel>(Kernel), m, n, k, a, k, 1, b, n, 1, c, n, false, Environment.ProcessorCount);
        }
    }
}
