using ConvSharp.Compute;
using ConvSharp.Compute.Parallel;
using ConvSharp.Convolution;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// The 32 MB workspace bound holds by construction: the legal calls that once failed with "the
/// algorithm must tile its work" (or peaked at 82 MB) run with the algorithm the planner chooses
/// for speed, agree with the definition, and hold no more workspace than their plan says, which
/// is within the bound for any thread count; so does a seeded sweep of large legal shapes. They
/// read the pool's process-wide peak, so they run alone.
/// </summary>
[Collection(GlobalGeneratorTests.Name)]
public class WorkspaceBoundTests
{
    /// <summary>Terms of the definition the probes of one call sum at the most, beyond two probes.</summary>
    private const long ProbeTerms = 20_000_000;

    private static readonly Dictionary<string, (ConvGeometry Geometry, string Algorithms)> IssueCases = new()
    {
        // name: the geometry, and the planner's forward / input-gradient / weight-gradient algorithms.
        ["Winograd, 512 channels, 2048 wide"] = (Shape([1, 512, 4, 2048], [16, 512, 3, 3], padding: 1), "Winograd4x3/Winograd4x3/ImplicitGemm"),
        ["Winograd, 256 channels, 3840 wide"] = (Shape([1, 256, 4, 3840], [16, 256, 3, 3], padding: 1), "Winograd4x3/Winograd4x3/ImplicitGemm"),
        ["47×47 'same' on 4096²"] = (Shape([1, 1, 4096, 4096], [1, 1, 47, 47], padding: 23), "Fft/Fft/Direct"),
        ["9×9 on 9 × 1,000,000"] = (Shape([1, 1, 9, 1_000_000], [1, 1, 9, 9]), "Direct/Direct/Direct"),
        ["dilated 3×3, 64 channels, 256²"] = (Shape([1, 64, 256, 256], [64, 64, 3, 3], padding: 2, dilation: 2), "Winograd4x3/Winograd4x3/ImplicitGemm"),
    };

    public static TheoryData<string> IssueCaseNames() => [.. IssueCases.Keys];

    [Theory]
    [MemberData(nameof(IssueCaseNames))]
    public void Each_call_from_the_issue_tiles_with_its_natural_algorithm_and_stays_within_the_bound(string name)
    {
        var (g, algorithms) = IssueCases[name];
        var data = new Data(g, seed: name.Length);
        var chosen = new List<string>();
        foreach (var direction in Enum.GetValues<ConvDirection>())
        {
            var plan = ConvPlanner.Plan(g, direction, CpuCaps.Current, new ConvPlanOptions());
            chosen.Add(plan.Algorithm.ToString());
            RunAndCheck(g, direction, plan, data, $"{name}, {direction}");
        }

        Assert.Equal(algorithms, string.Join("/", chosen));
    }

    [Fact]
    public void A_seeded_sweep_of_large_legal_shapes_runs_within_the_bound()
    {
        var random = new System.Random(2026);
        var ran = 0;
        while (ran < 15)
        {
            if (!TryDraw(random, ran % 5, out var g))
            {
                continue;
            }

            var data = new Data(g, seed: ran);
            foreach (var direction in Enum.GetValues<ConvDirection>())
            {
                var threads = random.Next(4) switch { 0 => 1, 1 => 2, 2 => 5, _ => 16 };
                var plan = ConvPlanner.Plan(g, direction, CpuCaps.Current, new ConvPlanOptions { MaxDegreeOfParallelism = threads });
                var what = $"{g}, {direction}, {plan.Algorithm} on {threads} threads";
                Assert.True(plan.Algorithm != ConvAlgorithm.Reference, $"{what}: no fast algorithm fitted");
                RunAndCheck(g, direction, plan, data, what);
            }

            ran++;
        }
    }

    [Fact]
    public void Every_plan_is_within_the_bound_for_any_thread_count()
    {
        var random = new System.Random(7);
        var shapes = IssueCases.Values.Select(c => c.Geometry).ToList();
        while (shapes.Count < 60)
        {
            if (TryDraw(random, shapes.Count % 5, out var g))
            {
                shapes.Add(g);
            }
        }

        foreach (var g in shapes)
        {
            foreach (var direction in Enum.GetValues<ConvDirection>())
            {
                foreach (var threads in new[] { 1, 2, 3, 16, 1024, int.MaxValue })
                {
                    foreach (var algorithm in Enum.GetValues<ConvAlgorithm>().Where(a => a != ConvAlgorithm.Auto && ConvPlanner.CanRun(a, g, direction, out _)))
                    {
                        var options = new ConvPlanOptions { Algorithm = algorithm, BackwardInputAlgorithm = algorithm, BackwardWeightAlgorithm = algorithm, MaxDegreeOfParallelism = threads };
                        var plan = ConvPlanner.Plan(g, direction, CpuCaps.Current, options);
                        Assert.True(
                            plan.WorkspaceFloats <= Workspace.MaxFloats,
                            $"{algorithm} {direction} {g} on {threads} threads plans {plan.WorkspaceFloats * 4L >> 20} MB of workspace");
                    }
                }
            }
        }
    }

    [Fact]
    public void Fft_cuts_a_kernel_too_large_for_one_tile_into_blocks_within_the_bound()
    {
        // One 2048² tile would take 32 MB alone: the 700 × 600 kernel goes in four blocks of 1024² tiles, added in order.
        var g = Shape([1, 1, 1100, 1100], [1, 1, 700, 600]);
        var tiling = ConvSharp.Compute.Fft.FftTiling.For(g, 2, Workspace.MaxFloats);
        Assert.Equal((2, 2, 1024), (tiling.BlocksH, tiling.BlocksW, tiling.Size));
        var plan = ConvPlanner.Plan(g, ConvDirection.Forward, CpuCaps.Current, new ConvPlanOptions { Algorithm = ConvAlgorithm.Fft });
        RunAndCheck(g, ConvDirection.Forward, plan, new Data(g, seed: 5), "a 700 × 600 kernel by FFT");
    }

    [Fact]
    public void Empty_calls_are_planned_too()
    {
        // Every call is planned, its workspace included, before the engine sees that it has nothing to do.
        var shapes = new[]
        {
            Shape([1, 1, 0, 40], [1, 1, 3, 3], padding: 2),
            Shape([2, 3, 40, 0], [6, 3, 3, 3], padding: 2),
            Shape([0, 4, 40, 40], [4, 1, 5, 5], padding: 2, groups: 4),
            Shape([1, 8, 40, 40], [0, 8, 3, 3], padding: 1),
        };
        foreach (var g in shapes)
        {
            foreach (var direction in Enum.GetValues<ConvDirection>())
            {
                foreach (var algorithm in Enum.GetValues<ConvAlgorithm>().Where(a => ConvPlanner.CanRun(a, g, direction, out _)))
                {
                    var options = new ConvPlanOptions { Algorithm = algorithm, BackwardInputAlgorithm = algorithm, BackwardWeightAlgorithm = algorithm };
                    Assert.InRange(ConvPlanner.Plan(g, direction, CpuCaps.Current, options).WorkspaceFloats, 0, Workspace.MaxFloats);
                }
            }
        }
    }

    [Fact]
    public void An_algorithm_whose_smallest_tiles_cannot_fit_says_so_and_the_planner_moves_on()
    {
        // 200,000 channels: one output channel's transformed filters alone take 29 MB, and the GEMMs' packed weights too much.
        var g = Shape([1, 200_000, 8, 8], [16, 200_000, 3, 3], padding: 1);
        Assert.False(ConvPlanner.CanRun(ConvAlgorithm.Winograd4x3, g, ConvDirection.Forward, out var reason));
        Assert.Contains("would not fit the workspace", reason, StringComparison.Ordinal);
        var plan = ConvPlanner.Plan(g, ConvDirection.Forward, CpuCaps.Current, new ConvPlanOptions());
        Assert.NotEqual(ConvAlgorithm.Winograd4x3, plan.Algorithm);
        Assert.True(plan.WorkspaceFloats <= Workspace.MaxFloats);
    }

    /// <summary>
    /// Runs one direction of <paramref name="g"/> with <paramref name="plan"/>: the workspace held
    /// stays within the plan's figure, the figure within the bound, and sampled results agree with
    /// the definition (Winograd and FFT to 1e-3 relative, as DESIGN.md allows, the rest to 1e-4).
    /// </summary>
    private static void RunAndCheck(in ConvGeometry g, ConvDirection direction, ConvPlan plan, Data data, string what)
    {
        var (x, w, dy) = (data.X, data.W, data.Dy);
        var result = new float[direction switch { ConvDirection.Forward => dy.Length, ConvDirection.BackwardInput => x.Length, _ => w.Length }];

        Workspace.ResetPeak();
        var before = Workspace.PeakFloats;
        switch (direction)
        {
            case ConvDirection.Forward:
                ConvEngine.Forward(g, plan, x, w, default, result);
                break;
            case ConvDirection.BackwardInput:
                ConvEngine.BackwardInput(g, plan, dy, w, result);
                break;
            default:
                ConvEngine.BackwardWeight(g, plan, dy, x, result);
                break;
        }

        var peak = Workspace.PeakFloats - before;
        Assert.True(peak <= plan.WorkspaceFloats, $"{what}: held {peak * 4.0 / (1 << 20):F1} MB, the plan said {plan.WorkspaceFloats * 4.0 / (1 << 20):F1} MB");
        Assert.True(plan.WorkspaceFloats <= Workspace.MaxFloats, $"{what}: plans {plan.WorkspaceFloats * 4.0 / (1 << 20):F1} MB of workspace");

        // About ten probes, fewer where each sums millions of terms (a weight gradient over a large image).
        var terms = direction switch
        {
            ConvDirection.Forward => (long)g.GroupChannels * g.KH * g.KW,
            ConvDirection.BackwardInput => (long)g.GroupOutChannels * g.KH * g.KW,
            _ => (long)g.N * g.OH * g.OW,
        };
        var positions = ConvProbe.Positions(result.Length, (int)Math.Clamp(ProbeTerms / Math.Max(terms, 1), 1, 10), data.Seed);
        var geometry = g;
        var expected = positions.Select(i => (float)ConvProbe.At(geometry, direction, x, w, dy, i)).ToArray();
        var actual = positions.Select(i => result[i]).ToArray();
        var tolerance = plan.Algorithm is ConvAlgorithm.Winograd4x3 or ConvAlgorithm.Fft ? 1e-3 : 1e-4;
        var scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        Expect.Close(expected, actual, rtol: tolerance, atol: tolerance * Math.Max(scale, 1), what: $"{what} ({plan.Algorithm})");
    }

    /// <summary>
    /// A large legal shape of one kind: 0 wide, 1 tall, 2 many channels, 3 a big kernel, 4 dilated.
    /// Sizes are drawn, then halved until a direction costs at most about 60 million multiply-adds.
    /// </summary>
    private static bool TryDraw(System.Random r, int kind, out ConvGeometry g)
    {
        g = default;
        int n = 1, c, oc, h, w, kh, kw, groups = 1, dilation = 1;
        switch (kind)
        {
            case 0:
                (c, h, w, kh, kw) = (r.Next(1, 4), r.Next(2, 12), r.Next(200_000, 3_000_000), r.Next(1, 10), r.Next(1, 10));
                (groups, oc, dilation) = (c, c * r.Next(1, 3), r.Next(1, 3));
                break;
            case 1:
                (c, h, w, kh, kw) = (r.Next(1, 5), r.Next(100_000, 2_000_000), r.Next(3, 12), r.Next(1, 6), r.Next(1, 4));
                (oc, groups) = r.Next(2) == 0 ? (c, c) : (r.Next(4, 17), 1);
                break;
            case 2:
                (c, oc, h, w) = (r.Next(256, 2049), r.Next(16, 65), r.Next(2, 9), r.Next(64, 4096));
                kh = kw = r.Next(3) switch { 0 => 1, 1 => 3, _ => 5 };
                break;
            case 3:
                (c, h, w, kh, kw) = (1, r.Next(100, 1500), r.Next(100, 1500), r.Next(20, 130), r.Next(20, 130));
                (oc, groups, n) = (r.Next(1, 3), 1, r.Next(1, 3));
                break;
            default:
                dilation = r.Next(2, 5);
                (c, oc, h, w, kh, kw) = (r.Next(16, 129), r.Next(16, 129), dilation * r.Next(8, 96), dilation * r.Next(8, 96), 3, 3);
                break;
        }

        var padding = kind == 4 ? dilation : r.Next(0, (kh / 2) + 1);
        var cost = (long)n * oc * h * w * (c / groups) * kh * kw;
        while (cost > 60_000_000 && (h > 2 * kh * dilation || w > 2 * kw * dilation))
        {
            // Halved along the longer side, by whole dilations so that the phases of a dilated shape stay whole.
            (h, w) = h >= w ? (h / 2 / dilation * dilation, w) : (h, w / 2 / dilation * dilation);
            cost = (long)n * oc * h * w * (c / groups) * kh * kw;
        }

        if (cost > 60_000_000 || (dilation * (kh - 1)) + 1 > h + (2 * padding) || (dilation * (kw - 1)) + 1 > w + (2 * padding))
        {
            return false;
        }

        g = Shape([n, c, h, w], [oc, c / groups, kh, kw], padding, dilation, groups);
        return true;
    }

    private static ConvGeometry Shape(int[] input, int[] weight, int padding = 0, int dilation = 1, int groups = 1) =>
        ConvGeometries.Conv2d(input, weight, null, 1, padding, dilation, groups);

    /// <summary>Uniform values in [−1, 1) for a geometry's input, weight and output gradient, drawn once for its three directions.</summary>
    private sealed class Data
    {
        public Data(in ConvGeometry g, int seed)
        {
            var random = new System.Random(seed);
            (Seed, X, W, Dy) = (seed, Draw(random, (long)g.N * g.C * g.H * g.W), Draw(random, (long)g.OC * g.GroupChannels * g.KH * g.KW), Draw(random, (long)g.N * g.OC * g.OH * g.OW));
        }

        public int Seed { get; }

        public float[] X { get; }

        public float[] W { get; }

        public float[] Dy { get; }

        private static float[] Draw(System.Random random, long count)
        {
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (2 * random.NextSingle()) - 1;
            }

            return values;
        }
    }
}
