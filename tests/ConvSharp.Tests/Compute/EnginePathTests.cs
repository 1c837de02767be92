using ConvSharp.Compute;
using ConvSharp.Compute.Fft;
using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;
using ConvSharp.Compute.Reference;
using ConvSharp.Compute.Winograd;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// Each engine path that only large shapes reach — several passes over output channels, several
/// FFT tiles, the stride-2 gather — run on small shapes by giving the plan a small workspace
/// budget. Each test first proves from the algorithm's own tiling that the path is taken (fewer
/// rows or channels per pass than the full budget gives, more than one tile), then checks every
/// value against the reference loops.
/// </summary>
[Trait("Category", "Engine")]
public class EnginePathTests
{
    private static readonly GemmBlocking Blocking = GemmBlocking.For(CpuCaps.Current.Kernel);

    [Theory]
    [InlineData(nameof(ConvAlgorithm.ImplicitGemm))]
    [InlineData(nameof(ConvAlgorithm.Im2colGemm))]
    public void Gemm_forward_in_several_passes_over_output_channels(string algorithmName)
    {
        var algorithm = Enum.Parse<ConvAlgorithm>(algorithmName);
        var g = Shape(n: 2, c: 64, h: 4, w: 5, oc: 96, k: 3, padding: 1);
        var budget = SmallestBudget(b => GemmForwardTiling.For(g, algorithm, Blocking, 2, b) is { Fits: true } t ? t.RowsPerPass : 0);
        var rows = GemmForwardTiling.For(g, algorithm, Blocking, 2, budget).RowsPerPass;
        Assert.True(rows < g.GroupOutChannels, $"{rows} rows per pass: one pass over the {g.GroupOutChannels} output channels");
        Check(g, ConvDirection.Forward, algorithm, budget, tolerance: 1e-4);
    }

    [Fact]
    public void Direct_weight_gradient_keeps_an_infinite_input_infinite_through_its_masked_tail()
    {
        // 28 columns: three vectors and a last one shifted back over columns already summed. Those
        // lanes are masked off; masking only dY would add 0·∞ = NaN where the reference has +∞.
        var g = ConvAlgorithmTests.Shape(1, 1, 6, 28, 6, 3, 3, 1, 1, 1, 1);
        var x = Enumerable.Range(0, g.H * g.W).Select(i => (float)Math.Sin(i)).ToArray();
        x[(2 * g.W) + 22] = float.PositiveInfinity; // a column inside the shifted vector's masked lanes
        var dy = Enumerable.Repeat(1f, g.OC * g.OH * g.OW).ToArray();
        var expected = new float[g.OC * g.KH * g.KW];
        ConvReference.BackwardWeight<float>(g, dy, x, expected);
        var actual = new float[expected.Length];
        ConvEngine.BackwardWeight(g, new ConvPlan(ConvAlgorithm.Direct, CpuCaps.Current.Kernel, 1), dy, x, actual);
        Assert.Contains(float.PositiveInfinity, expected);
        for (var i = 0; i < expected.Length; i++)
        {
            if (float.IsFinite(expected[i]))
            {
                Assert.Equal(expected[i], actual[i], 1e-3f);
            }
            else
            {
                Assert.Equal(expected[i], actual[i]);
            }
        }
    }

    [Fact]
    public void Col2im_input_gradient_in_several_passes()
    {
        // Stride 2: no transposed forward problem, so the input gradient is the col2im GEMM. Its passes
        // follow the weight budget alone (they order the sums), so the weights must exceed it: 700·700·9.
        var g = Shape(n: 1, c: 700, h: 5, w: 4, oc: 700, k: 3, padding: 1, stride: 2);
        var rows = GemmInputTiling.For(g, Blocking, 2, Workspace.MaxFloats).RowsPerPass;
        Assert.True(rows < g.GroupChannels * g.KH * g.KW, $"{rows} rows per pass: one pass");
        Check(g, ConvDirection.BackwardInput, ConvAlgorithm.Im2colGemm, Workspace.MaxFloats, tolerance: 1e-4);
    }

    [Fact]
    public void Winograd_in_several_passes_over_output_channels()
    {
        var g = Shape(n: 1, c: 32, h: 18, w: 21, oc: 48, k: 3, padding: 1);
        var budget = SmallestBudget(b => WinogradTiling.For(g, 1, Blocking, 2, b) is { Fits: true } t ? t.ChannelsPerPass : 0);
        var channels = WinogradTiling.For(g, 1, Blocking, 2, budget).ChannelsPerPass;
        Assert.True(channels < g.OC, $"{channels} output channels per pass: one pass");
        Check(g, ConvDirection.Forward, ConvAlgorithm.Winograd4x3, budget, tolerance: 1e-3);
    }

    [Fact]
    public void Fft_over_several_tiles_and_in_several_passes_over_output_channels()
    {
        // One input channel: the FFT path filters single-channel (or depthwise) planes.
        var g = Shape(n: 2, c: 1, h: 300, w: 270, oc: 5, k: 15, padding: 7);
        var budget = SmallestBudget(b => FftTiling.For(g, 2, b) is { Fits: true } t ? t.ChannelsPerPass : 0);
        var tiling = FftTiling.For(g, 2, budget);
        Assert.True(tiling.Size - g.KH + 1 < g.OH && tiling.Size - g.KW + 1 < g.OW, $"one {tiling.Size}² tile would cover the whole {g.OH}×{g.OW} output");
        Assert.True(tiling.ChannelsPerPass < g.OC, $"{tiling.ChannelsPerPass} output channels per pass: one pass");
        Check(g, ConvDirection.Forward, ConvAlgorithm.Fft, budget, tolerance: 1e-3);
    }

    [Theory]
    [InlineData(nameof(ConvAlgorithm.ImplicitGemm))]
    [InlineData(nameof(ConvAlgorithm.Im2colGemm))]
    public void Stride_2_gathers_whole_vectors_inside_the_row_and_checks_the_edges(string algorithmName)
    {
        // 71 columns: outputs whose windows lie inside the row take the vector gather (Im2colGather.EvensOf),
        // the first and last ones the checked loop.
        var g = Shape(n: 1, c: 3, h: 9, w: 71, oc: 8, k: 3, padding: 1, stride: 2);
        Check(g, ConvDirection.Forward, Enum.Parse<ConvAlgorithm>(algorithmName), Workspace.MaxFloats, tolerance: 1e-4);
    }

    /// <summary>The smallest power-of-two budget whose tiling still fits and makes progress (a positive rows-or-channels count).</summary>
    private static long SmallestBudget(Func<long, int> perPass)
    {
        var budget = (long)Workspace.MaxFloats;
        while (budget > 1 << 10 && perPass(budget / 2) > 0)
        {
            budget /= 2;
        }

        return budget;
    }

    private static void Check(in ConvGeometry g, ConvDirection direction, ConvAlgorithm algorithm, long budget, double tolerance)
    {
        var data = new TestData(17);
        var x = data.Normal(g.N * g.C * g.H * g.W).ToArray();
        var w = data.Normal(g.OC * g.GroupChannels * g.KH * g.KW).ToArray();
        var dy = data.Normal(g.N * g.OC * g.OH * g.OW).ToArray();
        var plan = new ConvPlan(algorithm, CpuCaps.Current.Kernel, 2) { BudgetFloats = budget };
        float[] actual, expected;
        if (direction == ConvDirection.Forward)
        {
            (actual, expected) = (new float[dy.Length], new float[dy.Length]);
            ConvEngine.Forward(g, plan, x, w, default, actual);
            ConvReference.Forward<float>(g, x, w, default, expected);
        }
        else
        {
            (actual, expected) = (new float[x.Length], new float[x.Length]);
            ConvEngine.BackwardInput(g, plan, dy, w, actual);
            ConvReference.BackwardInput<float>(g, dy, w, expected);
        }

        var scale = expected.Select(Math.Abs).Max();
        Expect.Close(expected, actual, rtol: tolerance, atol: tolerance * Math.Max(scale, 1), what: $"{algorithm} {direction} {g} within {budget * 4 >> 10} KB");
    }

    private static ConvGeometry Shape(int n, int c, int h, int w, int oc, int k, int padding, int stride = 1) =>
        ConvSharp.Convolution.ConvGeometries.Conv2d([n, c, h, w], [oc, c, k, k], null, new(stride, stride), padding, new(1, 1), 1);
}
