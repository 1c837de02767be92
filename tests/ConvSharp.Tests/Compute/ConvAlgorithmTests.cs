using ConvSharp.Compute;
using ConvSharp.Compute.Reference;
using ConvSharp.Convolution;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// Every algorithm, in every direction it implements, against the reference on swept shapes:
/// remainders of every tile, strides, dilations, groups and paddings, with canaries around
/// the outputs. Winograd and FFT are held to 1e-3 relative (DESIGN.md), the rest to 1e-4.
/// </summary>
[Trait("Category", "Kernels")]
public class ConvAlgorithmTests
{
    public static TheoryData<string, string> AlgorithmsAndDirections()
    {
        var data = new TheoryData<string, string>();
        foreach (var algorithm in Enum.GetValues<ConvAlgorithm>().Where(a => a is not (ConvAlgorithm.Auto or ConvAlgorithm.Reference)))
        {
            foreach (var direction in new[] { "Forward", "BackwardInput", "BackwardWeight" })
            {
                // Winograd and FFT compute outputs (and so input gradients), never weight gradients.
                if (direction != "BackwardWeight" || algorithm is not (ConvAlgorithm.Winograd4x3 or ConvAlgorithm.Fft))
                {
                    data.Add(algorithm.ToString(), direction);
                }
            }
        }

        return data;
    }

    /// <summary>Shapes chosen to hit edges: tiny and odd sizes, every kernel size to 7, all strides, dilations, groups and paddings.</summary>
    internal static IEnumerable<ConvGeometry> Shapes()
    {
        var random = new System.Random(2026);
        var shapes = new List<ConvGeometry>
        {
            Shape(1, 1, 6, 8, 1, 1, 2, 1, 1, 0, 1),     // the chapter's edge detector
            Shape(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1),     // 1×1 image
            Shape(2, 3, 17, 33, 3, 3, 3, 1, 1, 1, 3),   // depthwise, odd sizes
            Shape(1, 1, 40, 37, 2, 15, 15, 1, 1, 7, 1), // a large single-channel kernel
            Shape(2, 16, 9, 13, 16, 3, 3, 1, 1, 1, 1),  // Winograd-sized channels, tiles cut by the border
            Shape(1, 32, 8, 8, 24, 1, 1, 1, 1, 0, 1),   // pointwise
            Shape(2, 4, 9, 9, 6, 3, 3, 1, 1, 2, 2),     // padding beyond the kernel (no transposed problem)
            Shape(2, 16, 12, 10, 16, 3, 3, 1, 2, 2, 1), // dilated: Winograd by phases
            Shape(2, 1, 28, 28, 6, 5, 5, 1, 1, 2, 1),   // LeNet's first layer: blocks of 4 + 2 channels, a masked tail
            Shape(1, 2, 13, 11, 10, 3, 4, 1, 1, 1, 2),  // 5 channels per group, an even kernel row
            Shape(1, 1, 9, 21, 9, 4, 3, 2, 2, 1, 1),    // 9 channels from one input, strided and dilated
        };
        for (var i = 0; i < 80; i++)
        {
            var groups = random.Next(4) switch { 0 => 2, 1 => 3, _ => 1 };
            var depthwise = random.Next(5) == 0;
            var c = depthwise ? random.Next(1, 5) : groups * random.Next(1, 5);
            groups = depthwise ? c : groups;
            var oc = groups * random.Next(1, 4);
            var (kh, kw) = (random.Next(1, 8), random.Next(1, 8));
            var (stride, dilation) = (random.Next(1, 4), random.Next(3) == 0 ? 2 : 1);
            var padding = random.Next(0, kh + 1);
            var (h, w) = (random.Next(1, 20), random.Next(1, 20));
            var n = random.Next(1, 3);
            if (h + (2 * padding) >= (dilation * (kh - 1)) + 1 && w + (2 * padding) >= (dilation * (kw - 1)) + 1)
            {
                shapes.Add(Shape(n, c, h, w, oc, kh, kw, stride, dilation, padding, groups));
            }
        }

        return shapes;
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndDirections))]
    public void Algorithm_matches_the_reference_on_every_shape_it_can_run(string algorithmName, string directionName)
    {
        var algorithm = Enum.Parse<ConvAlgorithm>(algorithmName);
        var direction = Enum.Parse<ConvDirection>(directionName);
        var tolerance = algorithm is ConvAlgorithm.Winograd4x3 or ConvAlgorithm.Fft ? 1e-3 : 1e-4;
        var ran = 0;
        foreach (var g in Shapes())
        {
            if (!ConvPlanner.CanRun(algorithm, g, direction, out _))
            {
                continue;
            }

            ran++;
            var data = new TestData(ran);
            var x = data.Normal(g.N * g.C * g.H * g.W).ToArray();
            var w = data.Normal(g.OC * g.GroupChannels * g.KH * g.KW).ToArray();
            var b = data.Normal(g.OC).ToArray();
            var dy = data.Normal(g.N * g.OC * g.OH * g.OW).ToArray();
            var plan = new ConvPlan(algorithm, CpuCaps.Current.Kernel, 2);
            var (expected, guarded) = Run(g, plan, direction, x, w, b, dy, data);
            guarded.AssertCanariesIntact($"{algorithm} {direction} {g}");
            var scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
            Expect.Close(expected, guarded.Values, rtol: tolerance, atol: tolerance * Math.Max(scale, 1), what: $"{algorithm} {direction} {g}");
        }

        Assert.True(ran > 0, $"{algorithm} ran no {direction} shape: the sweep must cover it");
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndDirections))]
    public void Results_are_bitwise_the_same_with_one_thread_and_with_many(string algorithmName, string directionName)
    {
        var algorithm = Enum.Parse<ConvAlgorithm>(algorithmName);
        var direction = Enum.Parse<ConvDirection>(directionName);
        foreach (var g in new[] { Shape(3, 16, 30, 27, 32, 3, 3, 1, 1, 1, 1), Shape(2, 4, 40, 41, 4, 5, 5, 1, 1, 2, 4), Shape(4, 8, 20, 20, 16, 1, 1, 1, 1, 0, 1), Shape(1, 1, 64, 70, 2, 15, 15, 1, 1, 7, 1) })
        {
            if (!ConvPlanner.CanRun(algorithm, g, direction, out _))
            {
                continue;
            }

            var data = new TestData(5);
            var x = data.Normal(g.N * g.C * g.H * g.W).ToArray();
            var w = data.Normal(g.OC * g.GroupChannels * g.KH * g.KW).ToArray();
            var b = data.Normal(g.OC).ToArray();
            var dy = data.Normal(g.N * g.OC * g.OH * g.OW).ToArray();
            var one = Run(g, new ConvPlan(algorithm, CpuCaps.Current.Kernel, 1), direction, x, w, b, dy, data).Guarded.Values.ToArray();
            var many = Run(g, new ConvPlan(algorithm, CpuCaps.Current.Kernel, 8), direction, x, w, b, dy, data).Guarded.Values.ToArray();
            Assert.Equal(one, many);
        }
    }

    [Fact]
    public void The_dispatcher_picks_the_widest_kernel_the_runtime_accelerates()
    {
        var expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported
            ? ConvSharp.Compute.Gemm.GemmKernel.Avx512
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported
                ? ConvSharp.Compute.Gemm.GemmKernel.Avx2
                : System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported
                    ? ConvSharp.Compute.Gemm.GemmKernel.AdvSimd
                    : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated
                        ? ConvSharp.Compute.Gemm.GemmKernel.Vector128
                        : ConvSharp.Compute.Gemm.GemmKernel.Scalar;
        if (Environment.GetEnvironmentVariable("CONVSHARP_GEMM_KERNEL") is null)
        {
            Assert.Equal(expected, CpuCaps.Current.Kernel);
        }
    }

    [Fact]
    public void The_kernel_CI_expects_is_the_one_selected()
    {
        // CI sets CONVSHARP_TEST_EXPECT_KERNEL beside each DOTNET_Enable…=0 switch it tries, so a
        // switch the runtime ignores (as .NET 10 ignores DOTNET_EnableAVX512F) fails the run.
        var expected = Environment.GetEnvironmentVariable("CONVSHARP_TEST_EXPECT_KERNEL");
        Assert.Equal(expected ?? CpuCaps.Current.Kernel.ToString(), CpuCaps.Current.Kernel.ToString(), ignoreCase: true);
    }

    [Fact]
    public void A_forced_algorithm_that_cannot_run_the_shape_says_why()
    {
        var g = Shape(1, 2, 8, 8, 2, 5, 5, 2, 1, 0, 1);
        var error = Assert.Throws<ArgumentException>(() =>
            ConvPlanner.Plan(g, ConvDirection.Forward, CpuCaps.Current, new ConvPlanOptions { Algorithm = ConvAlgorithm.Winograd4x3 }));
        Assert.Contains("Winograd4x3 was forced but cannot compute the forward pass", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 2, 8, 8]", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs a 3×3 kernel with stride 1", error.Message, StringComparison.Ordinal);

        var strided = Assert.Throws<ArgumentException>(() =>
            ConvPlanner.Plan(g, ConvDirection.BackwardInput, CpuCaps.Current, new ConvPlanOptions { BackwardInputAlgorithm = ConvAlgorithm.ImplicitGemm }));
        Assert.Contains("strided convolution", strided.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forcing_through_the_options_reaches_every_algorithm_from_the_public_api()
    {
        var data = new TestData(9);
        var x = data.Normal(1, 16, 12, 12);
        var w = data.Normal(16, 16, 3, 3);
        var expected = Functional.Conv2d(x, w, padding: 1);
        foreach (var algorithm in new[] { ConvAlgorithm.Reference, ConvAlgorithm.Im2colGemm, ConvAlgorithm.ImplicitGemm, ConvAlgorithm.Winograd4x3 })
        {
            using (ConvPlanOptions.Use(new ConvPlanOptions { Algorithm = algorithm }))
            {
                Expect.Close(expected, Functional.Conv2d(x, w, padding: 1), rtol: 1e-3, atol: 1e-3, what: algorithm.ToString());
            }
        }
    }

    /// <summary>
    /// FFT takes kernels up to 1024 a side (2048-wide tiles); above 512 the direct loops took
    /// minutes on a large image. Checked against the direct loops (themselves checked against the
    /// reference above), since the reference would take minutes here.
    /// </summary>
    [Fact]
    public void Fft_takes_kernels_up_to_1024_a_side()
    {
        var data = new TestData(11);
        var x = data.Normal(1, 1, 700, 640);
        var w = data.Normal(1, 1, 600, 520) * 1e-3f;
        Tensor fft, direct;
        using (ConvPlanOptions.Use(new ConvPlanOptions { Algorithm = ConvAlgorithm.Fft }))
        {
            fft = Functional.Conv2d(x, w);
        }

        using (ConvPlanOptions.Use(new ConvPlanOptions { Algorithm = ConvAlgorithm.Direct }))
        {
            direct = Functional.Conv2d(x, w);
        }

        Assert.Equal([1, 1, 101, 121], fft.Shape);
        Expect.Close(direct, fft, rtol: 1e-3, atol: 1e-4);
        var g = Shape(1, 1, 1100, 1100, 1, 1024, 1024, 1, 1, 0, 1);
        Assert.True(ConvPlanner.CanRun(ConvAlgorithm.Fft, g, ConvDirection.Forward, out var reason), reason);
        Assert.False(ConvPlanner.CanRun(ConvAlgorithm.Fft, Shape(1, 1, 1100, 1100, 1, 1025, 3, 1, 1, 0, 1), ConvDirection.Forward, out _));
    }

    internal static ConvGeometry Shape(int n, int c, int h, int w, int oc, int kh, int kw, int stride, int dilation, int padding, int groups) =>
        ConvGeometries.Conv2d([n, c, h, w], [oc, c / groups, kh, kw], [oc], stride, padding, dilation, groups);

    /// <summary>Runs one direction with the plan and with the reference; returns the reference's result and the guarded output.</summary>
    internal static (float[] Expected, GuardedBuffer Guarded) Run(
        in ConvGeometry g, ConvPlan plan, ConvDirection direction, float[] x, float[] w, float[] b, float[] dy, TestData data)
    {
        switch (direction)
        {
            case ConvDirection.Forward:
                {
                    var expected = new float[g.N * g.OC * g.OH * g.OW];
                    ConvReference.Forward<float>(g, x, w, b, expected);
                    var guarded = new GuardedBuffer(expected.Length, data);
                    ConvEngine.Forward(g, plan, x, w, b, guarded.Values);
                    return (expected, guarded);
                }

            case ConvDirection.BackwardInput:
                {
                    var expected = new float[x.Length];
                    ConvReference.BackwardInput<float>(g, dy, w, expected);
                    var guarded = new GuardedBuffer(expected.Length, data);
                    ConvEngine.BackwardInput(g, plan, dy, w, guarded.Values);
                    return (expected, guarded);
                }

            default:
                {
                    var expected = new float[w.Length];
                    ConvReference.BackwardWeight<float>(g, dy, x, expected);
                    var guarded = new GuardedBuffer(expected.Length, data);
                    ConvEngine.BackwardWeight(g, plan, dy, x, guarded.Values);
                    return (expected, guarded);
                }
        }
    }
}
