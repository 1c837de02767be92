using ConvSharp.Compute;
using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;
using ConvSharp.Convolution;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// Regressions from the audit of the engine's unsafe code: small buffers under extreme strides,
/// paddings or thread counts, and GEMM column ranges at the top of the <c>int</c> range, where a
/// product or a loop step once wrapped. Every algorithm that can run a shape runs it in every
/// direction against the reference, with canaries around its output.
/// </summary>
[Trait("Category", "Kernels")]
public unsafe class UnsafeBoundsTests
{
    private static readonly Dictionary<string, ConvGeometry> ExtremeGeometries = new()
    {
        // Direct's weight gradient sized its bands by PaddedBand.Width × StrideH in 32 bits: 3·2^30 wrapped
        // negative, 4·2^30 to zero, 7·2^29 negative, and the bands grew to 2^30 input rows (a 12 GB workspace).
        ["stride 2^30, width 3"] = Geometry([1, 1, 1, 3], [1, 1, 1, 1], (1 << 30, 1), Padding.Explicit(0, 1 << 30, 0, 0)),
        ["stride 2^30, width 4"] = Geometry([2, 2, 1, 4], [2, 1, 1, 1], (1 << 30, 1), Padding.Explicit(0, 1 << 30, 0, 0), groups: 2),
        ["stride 2^29, dilation 3, width 7"] = Geometry([1, 1, 2, 5], [3, 1, 2, 2], (1 << 29, 1), Padding.Explicit(0, 1 << 30, 1, 1), dilation: (3, 1)),

        // An empty input plane padded into a non-empty output: the input pins as null and must never be read.
        ["no input rows"] = Geometry([1, 2, 0, 5], [2, 1, 3, 3], 1, 2, groups: 2),
        ["no input columns"] = Geometry([2, 3, 4, 0], [4, 3, 3, 3], 1, (1, 2)),
    };

    public static TheoryData<string> ExtremeGeometryNames() => [.. ExtremeGeometries.Keys];

    public static TheoryData<int> HugeThreadCounts() => [int.MaxValue, (1 << 30) - 1, 1 << 29];

    [Theory]
    [MemberData(nameof(ExtremeGeometryNames))]
    public void Every_algorithm_stays_in_bounds_on_small_buffers_with_extreme_geometry(string name)
    {
        var g = ExtremeGeometries[name];
        var ran = RunEveryAlgorithm(g, threads: 2, seed: name.Length);
        Assert.True(ran > 0, $"no algorithm ran {name}");
    }

    [Theory]
    [MemberData(nameof(HugeThreadCounts))]
    public void Every_algorithm_takes_any_thread_count(int threads)
    {
        // WorkPartition doubled the thread count in 32 bits: MaxDegreeOfParallelism = int.MaxValue made
        // Im2colGemm's input gradient throw from Math.Clamp.
        foreach (var g in ConvAlgorithmTests.Shapes().Take(8))
        {
            RunEveryAlgorithm(g, threads, seed: 3);
        }
    }

    [Theory]
    [MemberData(nameof(GemmTests.Kernels), MemberType = typeof(GemmTests))]
    public void Gemm_columns_just_below_int_MaxValue_are_each_computed_once(string kernelName)
    {
        // An output of Array.MaxLength pixels: jc += NC wrapped past the last block, and the loop went on
        // with negative columns (and, the wrap being a multiple of NC, never ended).
        var blocking = GemmBlocking.For(Enum.Parse<GemmKernel>(kernelName));
        var (m, k, width) = (3, 5, blocking.NC + 5);
        var j1 = Array.MaxLength;
        var j0 = j1 - width;
        var data = new TestData(17);
        var a = data.Normal(m * k).ToArray();
        var b = data.Normal(k * width).ToArray();
        var packedA = new float[Sgemm.PackedASize(blocking, m, k)];
        var packedB = new float[blocking.PackedBFloats(width)];
        var guarded = new GuardedBuffer(m * width, data);
        var expected = new float[m * width];
        GemmReference.Multiply(m, width, k, a, k, 1, b, width, 1, expected, width, accumulate: false);
        fixed (float* pa = a, pb = b, pA = packedA, pB = packedB)
        {
            Sgemm.PackA(blocking, pa, k, 1, m, k, pA);
            var source = new WindowSource(pb, k, j0, width);
            Sgemm.Compute(blocking, m, k, pA, ref source, j0, j1, guarded.Pointer - j0, width, accumulate: false, pB);
            Assert.Equal(2, source.Blocks);
        }

        guarded.AssertCanariesIntact($"{kernelName} columns [{j0}, {j1})");
        Expect.Close(expected, guarded.Values, rtol: 1e-4, atol: 1e-4, what: kernelName);
    }

    [Fact]
    public void A_workspace_request_that_wrapped_negative_is_refused()
    {
        // Release builds place no canary: a negative size must not rent a small array for a kernel to overrun.
        Assert.Throws<InvalidOperationException>(() => Workspace.Rent(-1));
        Assert.Throws<InvalidOperationException>(() => Workspace.Rent(int.MinValue));
        Assert.Throws<InvalidOperationException>(() => Workspace.Rent(Workspace.MaxFloats + 1L));
        using var empty = Workspace.Rent(0);
        Assert.Equal(0, empty.Span.Length);
    }

    /// <summary>Runs g with the planner's choice and with every algorithm that can run it, in each direction; returns how many ran.</summary>
    internal static int RunEveryAlgorithm(in ConvGeometry g, int threads, int seed)
    {
        var data = new TestData(seed);
        var x = data.Normal(g.N * g.C * g.H * g.W).ToArray();
        var w = data.Normal(g.OC * g.GroupChannels * g.KH * g.KW).ToArray();
        var b = data.Normal(g.OC).ToArray();
        var dy = data.Normal(g.N * g.OC * g.OH * g.OW).ToArray();
        var ran = 0;
        foreach (var direction in Enum.GetValues<ConvDirection>())
        {
            var planned = ConvPlanner.Plan(g, direction, CpuCaps.Current, new ConvPlanOptions { MaxDegreeOfParallelism = threads }).Algorithm;
            foreach (var algorithm in Enum.GetValues<ConvAlgorithm>().Where(a => a is not (ConvAlgorithm.Auto or ConvAlgorithm.Reference)).Append(planned))
            {
                if (!ConvPlanner.CanRun(algorithm, g, direction, out _))
                {
                    continue;
                }

                var what = $"{algorithm} {direction} {g} on {threads} threads";
                var (expected, guarded) = ConvAlgorithmTests.Run(g, new ConvPlan(algorithm, CpuCaps.Current.Kernel, threads), direction, x, w, b, dy, data);
                guarded.AssertCanariesIntact(what);
                var tolerance = algorithm is ConvAlgorithm.Winograd4x3 or ConvAlgorithm.Fft ? 1e-3 : 1e-4;
                var scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
                Expect.Close(expected, guarded.Values, rtol: tolerance, atol: tolerance * Math.Max(scale, 1), what: what);
                ran++;
            }
        }

        return ran;
    }

    private static ConvGeometry Geometry(int[] input, int[] weight, Size2 stride, Padding padding, Size2? dilation = null, int groups = 1) =>
        ConvGeometries.Conv2d(input, weight, [weight[0]], stride, padding, dilation ?? 1, groups);

    /// <summary>B (k × width) as columns [j0, j0 + width) of a wider matrix; any block outside them is a failure.</summary>
    private struct WindowSource(float* b, int k, int j0, int width) : IPanelSource
    {
        public int Blocks { get; private set; }

        public void Pack(int k0, int kc, int jc, int nc, int nr, float* destination)
        {
            if (nc <= 0 || jc < j0 || (long)jc + nc > (long)j0 + width || k0 < 0 || k0 + kc > k)
            {
                throw new InvalidOperationException($"the GEMM packed rows [{k0}, {k0 + kc}) and columns [{jc}, {jc} + {nc}) of B, outside [0, {k}) × [{j0}, {j0 + width})");
            }

            Blocks += k0 == 0 ? 1 : 0;
            new StridedSource(b - j0, width, 1).Pack(k0, kc, jc, nc, nr, destination);
        }
    }
}
