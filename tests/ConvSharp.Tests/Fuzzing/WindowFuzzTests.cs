using ConvSharp.Convolution;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Fuzzing;

/// <summary>
/// Every geometric argument of conv_transpose2d, unfold, fold and pad drawn from small and extreme integers
/// (−1, 0, 2^30, int.MaxValue, …). Each call must either succeed with the result that the
/// definition gives (<see cref="NaiveWindows"/>, in 64-bit arithmetic) or throw an
/// <see cref="ArgumentException"/> whose numbers are the true ones; never crash, hang, wrap
/// around or allocate without bound. Legal calls whose result would be too large to compute here
/// are checked for their shape alone, without allocating it.
/// </summary>
[Trait("Category", "Fuzz")]
public class WindowFuzzTests
{
    [Fact]
    public void ConvTranspose2d_matches_the_definition_or_refuses() =>
        Fuzz.Run(seed: 8_100_000, iterations: 3000, seconds: 8, ConvTranspose2dCase).AssertBothWays();

    [Fact]
    public void Unfold_and_Fold_match_the_definition_or_refuse() =>
        Fuzz.Run(seed: 8_200_000, iterations: 3000, seconds: 8, WindowsCase).AssertBothWays();

    [Fact]
    public void Pad_matches_the_definition_or_refuses() =>
        Fuzz.Run(seed: 8_300_000, iterations: 3000, seconds: 5, PadCase).AssertBothWays();

    private static FuzzOutcome ConvTranspose2dCase(System.Random r)
    {
        var rate = Fuzz.Rate(r);
        var groups = Fuzz.Extreme(r, rate / 2, 1, 3);
        var smallGroups = groups is >= 1 and <= 3;
        var (cg, ocg) = (r.Next(1, 3), r.Next(1, 3));
        var (n, h, w) = (r.Next(0, 3), FuzzArguments.SmallOrLong(r), FuzzArguments.SmallOrLong(r));
        var (kh, kw) = (FuzzArguments.SmallOrLong(r, 4), FuzzArguments.SmallOrLong(r, 4));
        var c = smallGroups ? cg * groups : r.Next(1, 4);
        if ((long)n * c * h * w > 1 << 16 || (long)c * ocg * kh * kw > 1 << 16)
        {
            return FuzzOutcome.Skipped;
        }

        Size2 stride = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        Size2 padding = (Fuzz.Extreme(r, rate, 0, 2), Fuzz.Extreme(r, rate, 0, 2));
        Size2 dilation = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        Size2 outputPadding = (Fuzz.Extreme(r, rate / 2, 0, 1), Fuzz.Extreme(r, rate / 2, 0, 1));
        var data = new TestData(r.Next());
        var x = data.Normal(n, c, h, w);
        var weight = data.Normal(c, ocg, kh, kw);
        long[] arguments = [groups, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, outputPadding.H, outputPadding.W];
        var what = Fuzz.Describe($"conv_transpose2d x[{n}, {c}, {h}, {w}] w[{c}, {ocg}, {kh}, {kw}] stride {stride} padding {padding} output_padding {outputPadding} dilation {dilation} groups {groups}");
        var legal = stride.H >= 1 && stride.W >= 1 && dilation.H >= 1 && dilation.W >= 1 && groups >= 1 && padding.H >= 0 && padding.W >= 0
            && outputPadding.H >= 0 && outputPadding.W >= 0
            && (outputPadding.H < stride.H || outputPadding.H < dilation.H) && (outputPadding.W < stride.W || outputPadding.W < dilation.W)
            && c % groups == 0 && (long)ocg * groups <= int.MaxValue;
        var spanH = ((h - 1L) * stride.H) + ((long)dilation.H * (kh - 1)) + 1 + outputPadding.H;
        var spanW = ((w - 1L) * stride.W) + ((long)dilation.W * (kw - 1)) + 1 + outputPadding.W;
        var (oh, ow) = (spanH - (2L * padding.H), spanW - (2L * padding.W));
        var outputElements = (double)n * ocg * groups * oh * ow;
        legal = legal && oh > 0 && ow > 0 && spanH <= int.MaxValue && spanW <= int.MaxValue && outputElements <= Array.MaxLength;
        if (!legal)
        {
            FuzzArguments.ExpectRefusal(() => F.ConvTranspose2d(x, weight, null, stride, padding, outputPadding, groups, dilation), [.. arguments, oh, ow], what);
            return FuzzOutcome.Refused;
        }

        if (outputElements > FuzzArguments.ElementBudget || (double)n * c * h * w * ocg * kh * kw > FuzzArguments.WorkBudget)
        {
            var g = ConvGeometries.ConvTranspose2d(x.Shape, weight.Shape, null, stride, padding, outputPadding, dilation, groups);
            Assert.True((g.H, g.W) == (oh, ow), $"{what}: geometry ({g.H}, {g.W}), expected ({oh}, {ow})");
            return FuzzOutcome.SizesOnly;
        }

        var y = F.ConvTranspose2d(x, weight, null, stride, padding, outputPadding, groups, dilation);
        var expected = NaiveWindows.ConvTranspose2d(
            x.ToArray(), x.Shape, weight.ToArray(), weight.Shape, (stride.H, stride.W), (padding.H, padding.W), (dilation.H, dilation.W), groups, oh, ow);
        Assert.Equal([n, ocg * groups, (int)oh, (int)ow], y.Shape);
        Expect.Close(expected, y.ToArray(), 1e-4, 1e-4, what);
        return FuzzOutcome.Computed;
    }

    private static FuzzOutcome WindowsCase(System.Random r)
    {
        var rate = Fuzz.Rate(r);
        var (n, c, h, w) = (r.Next(0, 3), r.Next(1, 3), FuzzArguments.SmallOrLong(r), FuzzArguments.SmallOrLong(r));
        Size2 kernel = (Fuzz.Extreme(r, rate, 1, 4), Fuzz.Extreme(r, rate, 1, 4));
        Size2 stride = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        Size2 padding = (Fuzz.Extreme(r, rate, 0, 2), Fuzz.Extreme(r, rate, 0, 2));
        Size2 dilation = (Fuzz.Extreme(r, rate, 1, 3), Fuzz.Extreme(r, rate, 1, 3));
        long[] arguments = [kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W];
        var what = Fuzz.Describe($"unfold/fold [{n}, {c}, {h}, {w}] kernel {kernel} stride {stride} padding {padding} dilation {dilation}");
        var legal = kernel.H >= 1 && kernel.W >= 1 && stride.H >= 1 && stride.W >= 1 && padding.H >= 0 && padding.W >= 0 && dilation.H >= 1 && dilation.W >= 1;
        var (paddedH, paddedW) = (h + (2L * padding.H), w + (2L * padding.W));
        var (spanH, spanW) = (((long)dilation.H * (kernel.H - 1L)) + 1, ((long)dilation.W * (kernel.W - 1L)) + 1);
        legal = legal && spanH <= paddedH && spanW <= paddedW && paddedH <= int.MaxValue && paddedW <= int.MaxValue;
        var (oh, ow) = legal ? (((paddedH - spanH) / stride.H) + 1, ((paddedW - spanW) / stride.W) + 1) : (0L, 0L);
        var taps = (long)kernel.H * kernel.W;
        var columns = (double)n * c * taps * oh * ow;
        legal = legal && (double)c * taps <= int.MaxValue && (double)oh * ow <= int.MaxValue && columns <= Array.MaxLength;
        var data = new TestData(r.Next());
        if ((long)n * c * h * w > 1 << 16)
        {
            return FuzzOutcome.Skipped;
        }

        var x = data.Normal(n, c, h, w);
        if (!legal)
        {
            FuzzArguments.ExpectRefusal(() => F.Unfold(x, kernel, dilation, padding, stride), arguments, what);
            return FuzzOutcome.Refused;
        }

        if (columns > FuzzArguments.ElementBudget)
        {
            var g = ConvGeometries.ForWindows(x.Shape, kernel, dilation, (padding.H, padding.W), stride);
            Assert.True((g.OH, g.OW) == (oh, ow), $"{what}: geometry ({g.OH}, {g.OW}), expected ({oh}, {ow})");
            return FuzzOutcome.SizesOnly;
        }

        var unfolded = F.Unfold(x, kernel, dilation, padding, stride);
        var scale = (kernel.H, kernel.W);
        Expect.Close(
            NaiveWindows.Windows(x.ToArray(), n, c, h, w, scale, (stride.H, stride.W), (padding.H, padding.W), (dilation.H, dilation.W), oh, ow, fold: false),
            unfolded.ToArray(), what: what + " (unfold)");
        var folded = F.Fold(unfolded, (h, w), kernel, dilation, padding, stride);
        Expect.Close(
            NaiveWindows.Windows(unfolded.ToArray(), n, c, h, w, scale, (stride.H, stride.W), (padding.H, padding.W), (dilation.H, dilation.W), oh, ow, fold: true),
            folded.ToArray(), what: what + " (fold)");

        // Fold into a wrong or extreme output size: the block count no longer matches, or the size is refused.
        Size2 other = (Fuzz.Extreme(r, 0.5, 1, 9), Fuzz.Extreme(r, 0.5, 1, 9));
        try
        {
            var refolded = F.Fold(unfolded, other, kernel, dilation, padding, stride);
            Assert.Equal([n, c, other.H, other.W], refolded.Shape);
        }
        catch (ArgumentException e)
        {
            Fuzz.AssertNoWrappedNumbers(e.Message, [.. arguments, other.H, other.W]);
        }

        return FuzzOutcome.Computed;
    }

    private static FuzzOutcome PadCase(System.Random r)
    {
        var shape = new[] { r.Next(0, 3), r.Next(1, 3), FuzzArguments.SmallOrLong(r), FuzzArguments.SmallOrLong(r) };
        if (shape.Aggregate(1L, (a, b) => a * b) > 1 << 16)
        {
            return FuzzOutcome.Skipped;
        }

        var rate = Fuzz.Rate(r);
        var (left, right, top, bottom) = (Fuzz.Extreme(r, rate, -2, 3), Fuzz.Extreme(r, rate, -2, 3), Fuzz.Extreme(r, rate, -2, 3), Fuzz.Extreme(r, rate, -2, 3));
        var mode = (PaddingMode)r.Next(5);
        var x = new TestData(r.Next()).Normal(shape);
        var what = Fuzz.Describe($"pad [{string.Join(", ", shape)}] by (left {left}, right {right}, top {top}, bottom {bottom}) {mode}");
        var rows = (long)top + shape[2] + bottom;
        var columns = (long)left + shape[3] + right;
        var elements = (double)shape[0] * shape[1] * rows * columns;
        var legal = NaiveWindows.BorderIsLegal(shape[2], top, bottom, mode) && NaiveWindows.BorderIsLegal(shape[3], left, right, mode)
            && rows <= int.MaxValue && columns <= int.MaxValue && elements <= Array.MaxLength;
        if (!legal)
        {
            FuzzArguments.ExpectRefusal(() => F.Pad(x, (left, right, top, bottom), mode), [left, right, top, bottom], what);
            return FuzzOutcome.Refused;
        }

        if (elements > FuzzArguments.ElementBudget || rows > FuzzArguments.ElementBudget || columns > FuzzArguments.ElementBudget)
        {
            return FuzzOutcome.SizesOnly; // legal, and as large as asked: nothing to learn from allocating it
        }

        var padded = F.Pad(x, (left, right, top, bottom), mode);
        var expected = NaiveWindows.Pad(
            x.ToArray(), shape, NaiveWindows.BorderMap(shape[2], top, bottom, mode, true)!, NaiveWindows.BorderMap(shape[3], left, right, mode, true)!, 0f);
        Assert.Equal([shape[0], shape[1], (int)rows, (int)columns], padded.Shape);
        Expect.Values(expected, padded);
        return FuzzOutcome.Computed;
    }
}
