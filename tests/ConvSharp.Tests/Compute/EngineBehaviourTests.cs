using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using ConvSharp.Compute;
using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;
using ConvSharp.Convolution;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// What the engine promises beyond single results: the planner's choices, the workspace bound,
/// the same bits for every thread count through the public API, and no allocation per training
/// step beyond the step's own tensors. These read process-wide counters, so they run alone.
/// </summary>
[Collection(GlobalGeneratorTests.Name)]
[Trait("Category", "Engine")]
public class EngineBehaviourTests
{
    public static TheoryData<string, int, int, int, int, int, int, int, string> PlannerTable() => new()
    {
        // name, C, H, OC, K, stride, dilation, groups, expected forward / backward input / backward weight
        { "the chapter's edge detector", 1, 8, 1, 2, 1, 1, 1, "Direct/Direct/Direct" },
        { "Laplacian on an image", 1, 1024, 1, 3, 1, 1, 1, "Direct/Direct/Direct" },
        { "15×15 blur", 1, 1024, 1, 15, 1, 1, 1, "Fft/Fft/Direct" },
        { "depthwise", 32, 56, 32, 3, 1, 1, 32, "Direct/Direct/Direct" },
        { "LeNet's first layer", 1, 28, 6, 5, 1, 1, 1, "Direct/Im2colGemm/Direct" },
        { "LeNet's second layer, padded", 6, 14, 16, 5, 1, 1, 1, "ImplicitGemm/Im2colGemm/ImplicitGemm" },
        { "pointwise", 256, 28, 256, 1, 1, 1, 1, "GemmDirect1x1/GemmDirect1x1/GemmDirect1x1" },
        { "ResNet 3×3", 64, 56, 64, 3, 1, 1, 1, "Winograd4x3/Winograd4x3/ImplicitGemm" },
        { "few channels 3×3", 3, 56, 8, 3, 1, 1, 1, "ImplicitGemm/Im2colGemm/ImplicitGemm" },
        { "strided stem", 3, 224, 64, 7, 2, 1, 1, "ImplicitGemm/Im2colGemm/ImplicitGemm" },
        { "dilated", 64, 56, 64, 3, 1, 2, 1, "Winograd4x3/Winograd4x3/ImplicitGemm" },
    };

    /// <summary>
    /// Says what this process accelerates (CI's ARM64 run shows it with -showLiveOutput), and that
    /// the GEMM kernel chosen is one whose instructions the CPU offers.
    /// </summary>
    [Fact]
    public void Reports_what_this_process_accelerates()
    {
        var caps = CpuCaps.Current;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{RuntimeInformation.ProcessArchitecture}: AdvSimd {AdvSimd.IsSupported}, Vector128 accelerated {Vector128.IsHardwareAccelerated}, " +
            $"Vector256 {Vector256.IsHardwareAccelerated}, Vector512 {Vector512.IsHardwareAccelerated}, Vector<float> {Vector<float>.Count} lanes " +
            $"(accelerated {Vector.IsHardwareAccelerated}); GEMM kernel {caps.Kernel}, {caps.Threads} threads");
        Assert.True(caps.Kernel != GemmKernel.Avx512 || Avx512F.IsSupported);
        Assert.True(caps.Kernel != GemmKernel.Avx2 || Fma.IsSupported);
    }

    [Theory]
    [MemberData(nameof(PlannerTable))]
    public void The_planner_chooses_by_shape(string name, int c, int h, int oc, int k, int stride, int dilation, int groups, string expected)
    {
        var g = ConvGeometries.Conv2d([1, c, h, h], [oc, c / groups, k, k], null, stride, dilation * (k - 1) / 2, dilation, groups);
        var chosen = string.Join("/", new[] { ConvDirection.Forward, ConvDirection.BackwardInput, ConvDirection.BackwardWeight }
            .Select(d => ConvPlanner.Plan(g, d, CpuCaps.Current, new ConvPlanOptions()).Algorithm));
        Assert.True(expected == chosen, $"{name}: chose {chosen}, expected {expected}");
    }

    public static TheoryData<string, int, int, int, int, int, int> LargeShapes() => new()
    {
        // algorithm, N, C, H, OC, K, stride
        { "Im2colGemm", 1, 64, 512, 64, 3, 1 },
        { "ImplicitGemm", 1, 64, 512, 64, 3, 1 },
        { "Winograd4x3", 1, 64, 512, 64, 3, 1 },
        { "GemmDirect1x1", 1, 256, 256, 256, 1, 1 },
        { "Direct", 1, 3, 2048, 3, 3, 1 },
        { "Fft", 1, 1, 2048, 1, 15, 1 },
        { "Im2colGemm", 2, 32, 600, 32, 7, 2 },
    };

    // Tens of GFLOP in all: left out of CI's emulated ARM64 run (-trait- Size=Large).
    [Theory]
    [MemberData(nameof(LargeShapes))]
    [Trait("Size", "Large")]
    public void No_call_takes_more_than_32_MB_of_workspace(string algorithmName, int n, int c, int h, int oc, int k, int stride)
    {
        var algorithm = Enum.Parse<ConvAlgorithm>(algorithmName);
        var groups = algorithm is ConvAlgorithm.Direct or ConvAlgorithm.Fft ? c : 1;
        var g = ConvGeometries.Conv2d([n, c, h, h], [oc, c / groups, k, k], null, stride, k / 2, 1, groups);
        var data = new TestData(1);
        var x = data.Normal(g.N * g.C * g.H * g.W).ToArray();
        var w = data.Normal(g.OC * g.GroupChannels * g.KH * g.KW).ToArray();
        var y = new float[g.N * g.OC * g.OH * g.OW];
        var plan = new ConvPlan(algorithm, CpuCaps.Current.Kernel, 4);
        foreach (var direction in new[] { ConvDirection.Forward, ConvDirection.BackwardInput, ConvDirection.BackwardWeight })
        {
            if (!ConvPlanner.CanRun(algorithm, g, direction, out _))
            {
                continue;
            }

            Workspace.ResetPeak();
            var before = Workspace.PeakFloats;
            switch (direction)
            {
                case ConvDirection.Forward:
                    ConvEngine.Forward(g, plan, x, w, default, y);
                    break;
                case ConvDirection.BackwardInput:
                    ConvEngine.BackwardInput(g, plan, y, w, x);
                    break;
                default:
                    ConvEngine.BackwardWeight(g, plan, y, x, w);
                    break;
            }

            var megabytes = (Workspace.PeakFloats - before) * 4.0 / (1 << 20);
            Assert.True(megabytes <= 32, $"{algorithm} {direction} took {megabytes:F1} MB of workspace");
        }
    }

    [Fact]
    public void A_training_step_gives_the_same_bits_with_one_thread_and_with_many()
    {
        float[][] Step(int threads)
        {
            using var scope = ConvPlanOptions.Use(new ConvPlanOptions { MaxDegreeOfParallelism = threads });
            var data = new TestData(3);
            var x = data.Normal(4, 16, 20, 20);
            var w = data.Normal(32, 16, 3, 3);
            var b = data.Normal(32);
            var w2 = data.Normal(8, 32, 1, 1);
            foreach (var t in new[] { x, w, b, w2 })
            {
                t.RequiresGrad = true;
            }

            var y = F.Conv2d(F.Conv2d(x, w, b, padding: 1).Relu(), w2);
            y.Square().Sum().Backward();
            return [y.ToArray(), x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray(), w2.Grad!.ToArray()];
        }

        var one = Step(1);
        var many = Step(Math.Max(4, Environment.ProcessorCount));
        for (var i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], many[i]);
        }
    }

    [Fact]
    public void A_steady_training_step_allocates_only_its_tensors()
    {
        // Bytes allocated per step, minus the float data of the tensors the step creates, must stay
        // small and must not grow with the image: every workspace comes from the pool.
        long Overhead(int size)
        {
            var data = new TestData(4);
            var x = data.Normal(2, 8, size, size);
            var w = data.Normal(16, 8, 3, 3);
            w.RequiresGrad = true;
            var sgd = new ConvSharp.Optim.Sgd([new Nn.Parameter(w)], lr: 0.01f);
            void Step()
            {
                sgd.ZeroGrad();
                var y = F.Conv2d(x, sgd.Parameters[0], padding: 1);
                y.Sum().Backward();
                sgd.Step();
            }

            for (var i = 0; i < 5; i++)
            {
                Step();
            }

            var before = GC.GetTotalAllocatedBytes(precise: true);
            Step();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

            // The step's tensors: the output and its gradient (the expanded ones of Sum, made
            // contiguous for the engine), the weight gradient and the update (lr·grad).
            var tensors = 4L * ((2L * 2 * 16 * size * size) + (2L * 16 * 8 * 9));
            return allocated - tensors;
        }

        var small = Overhead(16);
        var large = Overhead(96);
        Assert.True(large < 256 * 1024, $"a step allocated {large / 1024} KB beyond its tensors");
        Assert.True(large - small < 64 * 1024, $"the overhead grew from {small / 1024} KB to {large / 1024} KB with the image size");
    }
}
