using ConvSharp.Compute;
using ConvSharp.Convolution;
using ConvSharp.Tests.Compute;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Fuzzing;

/// <summary>
/// Every geometric argument of conv2d, through the public API and below it, for every algorithm drawn from small and extreme integers
/// (−1, 0, 2^30, int.MaxValue, …). Each call must either succeed with the result that the
/// definition gives (<see cref="NaiveWindows"/>, in 64-bit arithmetic) or throw an
/// <see cref="ArgumentException"/> whose numbers are the true ones; never crash, hang, wrap
/// around or allocate without bound. Legal calls whose result would be too large to compute here
/// are checked for their shape alone, without allocating it.
/// </summary>
[Trait("Category", "Fuzz")]
public class Conv2dFuzzTests
{
    public static TheoryData<ConvAlgorithm> Algorithms => [.. Enum.GetValues<ConvAlgorithm>()];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Conv2d_matches_the_definition_or_refuses(ConvAlgorithm algorithm)
    {
        // Winograd and FFT compute no weight gradients; the planner picks those.
        var weightAlgorithm = algorithm is ConvAlgorithm.Winograd4x3 or ConvAlgorithm.Fft ? ConvAlgorithm.Auto : algorithm;
        var options = new ConvPlanOptions { Algorithm = algorithm, BackwardInputAlgorithm = algorithm, BackwardWeightAlgorithm = weightAlgorithm };
        using var scope = ConvPlanOptions.Use(options);
        var iterations = algorithm == ConvAlgorithm.Auto ? 3000 : 600;
        Fuzz.Run(seed: 8_000_000 + (1000 * (int)algorithm), iterations, seconds: algorithm == ConvAlgorithm.Auto ? 12 : 3, r => Conv2dCase(r, algorithm)).AssertBothWays();
    }

    /// <summary>
    /// Below the public API: extreme strides, dilations and paddings over small buffers, every
    /// algorithm that can run the geometry in every direction, against the reference, with canaries
    /// around each output (the engine's unsafe kernels, one by one).
    /// </summary>
    [Fact]
    public void Every_algorithm_matches_the_reference_on_extreme_geometries_over_small_buffers() =>
        Fuzz.Run(seed: 8_400_000, iterations: 4000, seconds: 8, EngineCase).AssertBothWays(0.05);

    private static FuzzOutcome EngineCase(System.Random r)
    {
        var rate = Fuzz.Rate(r);
        var depthwise = r.Next(3) == 0;
        var groups = r.Next(1, 3);
        var (cg, ocg) = (depthwise ? 1 : r.Next(1, 4), r.Next(1, 6));
        var (n, h, w) = (r.Next(1, 3), r.Next(8) == 0 ? r.Next(0, 2) : FuzzArguments.SmallOrLong(r, 12), r.Next(8) == 0 ? r.Next(0, 2) : FuzzArguments.SmallOrLong(r, 12));
        var (kh, kw) = r.Next(3) == 0 ? (3, 3) : (r.Next(1, 6), r.Next(1, 6));
        Size2 stride = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        Size2 dilation = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        var padding = Padding.Explicit(Fuzz.Extreme(r, rate, 0, 3), Fuzz.Extreme(r, rate, 0, 3), Fuzz.Extreme(r, rate, 0, 3), Fuzz.Extreme(r, rate, 0, 3));
        int[] input = [n, cg * groups, h, w];
        int[] weight = [ocg * groups, cg, kh, kw];
        if ((long)n * cg * groups * h * w > 1 << 14)
        {
            return FuzzOutcome.Skipped;
        }

        Fuzz.Describe($"engine x{Shapes.Format(input)} w{Shapes.Format(weight)} stride {stride} dilation {dilation} padding {padding} groups {groups}");
        ConvGeometry g;
        try
        {
            g = ConvGeometries.Conv2d(input, weight, [weight[0]], stride, padding, dilation, groups);
        }
        catch (ArgumentException)
        {
            return FuzzOutcome.Refused;
        }

        var outputs = (long)g.N * g.OC * g.OH * g.OW;
        if (outputs > FuzzArguments.ElementBudget / 10 || outputs * cg * kh * kw > FuzzArguments.WorkBudget / 10)
        {
            return FuzzOutcome.SizesOnly;
        }

        UnsafeBoundsTests.RunEveryAlgorithm(g, threads: r.Next(1, 4), seed: r.Next());
        return FuzzOutcome.Computed;
    }

    private static FuzzOutcome Conv2dCase(System.Random r, ConvAlgorithm algorithm)
    {
        var rate = Fuzz.Rate(r);
        var groups = Fuzz.Extreme(r, rate / 2, 1, 3);
        var smallGroups = groups is >= 1 and <= 3;
        var (cg, ocg) = (r.Next(1, 3), r.Next(1, 3));
        var (n, h, w) = (r.Next(0, 3), FuzzArguments.SmallOrLong(r), FuzzArguments.SmallOrLong(r));
        var (kh, kw) = (FuzzArguments.SmallOrLong(r, 4), FuzzArguments.SmallOrLong(r, 4));
        var inDomain = r.Next(5) > 0; // a forced algorithm mostly gets shapes it implements
        (cg, kh, kw) = (algorithm, inDomain) switch
        {
            (ConvAlgorithm.Direct or ConvAlgorithm.Fft, true) => (1, kh, kw),
            (ConvAlgorithm.Winograd4x3, true) => (cg, 3, 3),
            (ConvAlgorithm.GemmDirect1x1, true) => (cg, 1, 1),
            _ => (cg, kh, kw),
        };
        var c = smallGroups ? cg * groups : r.Next(1, 4);
        var oc = smallGroups ? ocg * groups : r.Next(1, 4);
        if (r.Next(20) == 0)
        {
            c++; // a channel count that does not match the weight
        }

        if ((long)n * c * h * w > 1 << 16 || (long)oc * cg * kh * kw > 1 << 16)
        {
            return FuzzOutcome.Skipped;
        }

        Size2 stride = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        Size2 dilation = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        if (inDomain && algorithm is ConvAlgorithm.Fft or ConvAlgorithm.Winograd4x3 or ConvAlgorithm.GemmDirect1x1)
        {
            stride = 1;
            dilation = algorithm == ConvAlgorithm.Winograd4x3 && r.Next(2) == 0 ? dilation : 1;
        }

        var paddingKind = inDomain && algorithm == ConvAlgorithm.GemmDirect1x1 ? 1 : r.Next(8);
        var explicitPads = (Top: Fuzz.Extreme(r, rate, 0, 2), Bottom: Fuzz.Extreme(r, rate, 0, 2), Left: Fuzz.Extreme(r, rate, 0, 2), Right: Fuzz.Extreme(r, rate, 0, 2));
        Padding padding = paddingKind switch
        {
            0 => Padding.Same,
            1 => Padding.Valid,
            2 or 3 => Padding.Explicit(explicitPads.Top, explicitPads.Bottom, explicitPads.Left, explicitPads.Right),
            _ => (explicitPads.Top, explicitPads.Left),
        };
        if (paddingKind >= 4)
        {
            explicitPads = (explicitPads.Top, explicitPads.Top, explicitPads.Left, explicitPads.Left);
        }

        var mode = r.Next(2) == 0 ? PaddingMode.Zeros : (PaddingMode)r.Next(5);
        var data = new TestData(r.Next());
        var x = data.Normal(n, c, h, w);
        var weight = data.Normal(oc, cg, kh, kw);
        var bias = r.Next(2) == 0 ? null : data.Normal(oc);
        long[] arguments = [groups, stride.H, stride.W, dilation.H, dilation.W, explicitPads.Top, explicitPads.Bottom, explicitPads.Left, explicitPads.Right];
        var what = Fuzz.Describe($"conv2d x[{n}, {c}, {h}, {w}] w[{oc}, {cg}, {kh}, {kw}] stride {stride} dilation {dilation} padding {padding} groups {groups} mode {mode} algorithm {algorithm}");

        // The definition's view of legality, in 64-bit arithmetic.
        var legal = stride.H >= 1 && stride.W >= 1 && dilation.H >= 1 && dilation.W >= 1 && groups >= 1
            && (paddingKind <= 1 || (explicitPads.Top >= 0 && explicitPads.Bottom >= 0 && explicitPads.Left >= 0 && explicitPads.Right >= 0))
            && oc % groups == 0 && c == (long)cg * groups;
        if (!legal)
        {
            FuzzArguments.ExpectRefusal(() => F.Conv2d(x, weight, bias, stride, padding, dilation, groups, mode), arguments, what);
            return FuzzOutcome.Refused;
        }

        var (top, bottom) = paddingKind switch { 0 => FuzzArguments.Same(h, kh, stride.H, dilation.H), 1 => (0L, 0L), _ => ((long)explicitPads.Top, (long)explicitPads.Bottom) };
        var (left, right) = paddingKind switch { 0 => FuzzArguments.Same(w, kw, stride.W, dilation.W), 1 => (0L, 0L), _ => ((long)explicitPads.Left, (long)explicitPads.Right) };
        var (paddedH, paddedW) = (h + top + bottom, w + left + right);
        var (spanH, spanW) = (((long)dilation.H * (kh - 1)) + 1, ((long)dilation.W * (kw - 1)) + 1);
        var fits = spanH <= paddedH && spanW <= paddedW && paddedH <= int.MaxValue && paddedW <= int.MaxValue;
        var (oh, ow) = fits ? (((paddedH - spanH) / stride.H) + 1, ((paddedW - spanW) / stride.W) + 1) : (0L, 0L);
        var outputElements = (double)n * oc * oh * ow;
        var padsTheInput = mode != PaddingMode.Zeros && top + bottom + left + right > 0;
        var paddedElements = padsTheInput ? (double)n * c * paddedH * paddedW : 0;
        var rowMap = fits ? NaiveWindows.BorderMap(h, top, bottom, padsTheInput ? mode : PaddingMode.Zeros, paddedH <= FuzzArguments.ElementBudget) : null;
        var columnMap = fits ? NaiveWindows.BorderMap(w, left, right, padsTheInput ? mode : PaddingMode.Zeros, paddedW <= FuzzArguments.ElementBudget) : null;
        legal = fits && outputElements <= Array.MaxLength && paddedElements <= Array.MaxLength
            && NaiveWindows.BorderIsLegal(h, top, bottom, padsTheInput ? mode : PaddingMode.Zeros)
            && NaiveWindows.BorderIsLegal(w, left, right, padsTheInput ? mode : PaddingMode.Zeros);
        if (!legal)
        {
            FuzzArguments.ExpectRefusal(() => F.Conv2d(x, weight, bias, stride, padding, dilation, groups, mode), arguments, what);
            return FuzzOutcome.Refused;
        }

        var work = outputElements * cg * kh * kw;
        if (outputElements > FuzzArguments.ElementBudget || paddedElements > FuzzArguments.ElementBudget || work > FuzzArguments.WorkBudget || rowMap is null || columnMap is null)
        {
            // Legal but too large to run here: the geometry alone must say so, without allocating.
            var g = ConvGeometries.Conv2d(x.Shape, weight.Shape, bias?.Shape, stride, padding, dilation, groups);
            Assert.True((g.OH, g.OW) == (oh, ow), $"{what}: geometry ({g.OH}, {g.OW}), expected ({oh}, {ow})");
            return FuzzOutcome.SizesOnly;
        }

        x.RequiresGrad = true;
        weight.RequiresGrad = true;
        Tensor y;
        try
        {
            y = F.Conv2d(x, weight, bias, stride, padding, dilation, groups, mode);
        }
        catch (ArgumentException e) when (algorithm != ConvAlgorithm.Auto && e.Message.Contains("was forced but cannot", StringComparison.Ordinal))
        {
            return FuzzOutcome.Skipped; // a forced algorithm that does not implement this shape says so
        }

        var probe = data.Normal(y.Shape);
        var expected = NaiveWindows.Conv2d(
            x.ToArray(), x.Shape, weight.ToArray(), weight.Shape, bias?.ToArray(), rowMap, columnMap,
            (stride.H, stride.W), (dilation.H, dilation.W), groups, oh, ow, probe.ToArray());
        var (rtol, atol) = algorithm is ConvAlgorithm.Winograd4x3 or ConvAlgorithm.Fft ? (1e-3, 1e-3) : (1e-4, 1e-4);
        Assert.Equal([n, oc, (int)oh, (int)ow], y.Shape);
        Expect.Close(expected.Output, y.ToArray(), rtol, atol, what + " (output)");
        try
        {
            (y * probe).Sum().Backward();
        }
        catch (ArgumentException e) when (algorithm != ConvAlgorithm.Auto && e.Message.Contains("was forced but cannot", StringComparison.Ordinal))
        {
            return FuzzOutcome.Computed; // the output was checked; the forced algorithm has no such gradient
        }

        Expect.Close(expected.GradInput, x.Grad!.ToArray(), rtol, atol, what + " (input gradient)");
        Expect.Close(expected.GradWeight, weight.Grad!.ToArray(), rtol, atol, what + " (weight gradient)");
        return FuzzOutcome.Computed;
    }
}
