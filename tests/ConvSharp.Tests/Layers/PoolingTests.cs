using System.Text.Json;
using ConvSharp.Compute;
using ConvSharp.Nn;
using ConvSharp.Pooling;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Layers;

/// <summary>
/// Max, average and adaptive average pooling: against PyTorch 1.13
/// (tools/fixtures/make_pooling_fixtures.py), their printing and argument checks, a
/// finite-difference check of the average gradients, and the fast kernels against the reference loops.
/// </summary>
public class PoolingTests
{
    private static readonly Lazy<JsonElement[]> FixtureCases = new(() =>
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pooling.json"));
        return [.. JsonDocument.Parse(stream).RootElement.Clone().GetProperty("cases").EnumerateArray()];
    });

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        var cases = FixtureCases.Value;
        for (var i = 0; i < cases.Length; i++)
        {
            data.Add(i, $"{cases[i].GetProperty("op").GetString()} {cases[i].GetProperty("args")} on {cases[i].GetProperty("input").GetProperty("shape")}");
        }

        return data;
    }

    [Fact]
    [Trait("Category", "Parity")]
    public void The_fixtures_cover_ceil_mode_padding_ties_nan_and_3d_input()
    {
        var cases = FixtureCases.Value;
        var byOp = cases.GroupBy(c => c.GetProperty("op").GetString()!).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(["adaptive_avg_pool2d", "avg_pool2d", "max_pool2d"], byOp.Keys.Order());
        Assert.Contains(byOp["max_pool2d"], c => c.GetProperty("args").GetProperty("ceil_mode").GetBoolean());
        Assert.Contains(byOp["max_pool2d"], c => c.GetProperty("args").GetProperty("dilation").ValueKind == JsonValueKind.Array);
        Assert.Contains(byOp["max_pool2d"], c => c.GetProperty("input").GetProperty("data").EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String));
        Assert.Contains(byOp["avg_pool2d"], c => !c.GetProperty("args").GetProperty("count_include_pad").GetBoolean());
        Assert.Contains(byOp["avg_pool2d"], c => c.GetProperty("args").GetProperty("divisor_override").ValueKind == JsonValueKind.Number);
        Assert.Contains(byOp["adaptive_avg_pool2d"], c => c.GetProperty("output").GetProperty("shape").ToInts()[^1] > c.GetProperty("input").GetProperty("shape").ToInts()[^1]);
        Assert.All(byOp.Values, group => Assert.Contains(group, c => c.GetProperty("input").GetProperty("shape").GetArrayLength() == 3));
    }

    [Theory]
    [Trait("Category", "Parity")]
    [MemberData(nameof(Cases))]
    public void Pooling_matches_pytorch(int index, string description)
    {
        var c = FixtureCases.Value[index];
        var args = c.GetProperty("args");
        var input = c.GetProperty("input").ToTensor();
        input.RequiresGrad = true;
        var output = c.GetProperty("op").GetString() switch
        {
            "max_pool2d" => F.MaxPool2d(
                input, args.GetProperty("kernel").ToSize2(), OptionalSize(args.GetProperty("stride")),
                args.GetProperty("padding").ToSize2(), args.GetProperty("dilation").ToSize2(), args.GetProperty("ceil_mode").GetBoolean()),
            "avg_pool2d" => F.AvgPool2d(
                input, args.GetProperty("kernel").ToSize2(), OptionalSize(args.GetProperty("stride")),
                args.GetProperty("padding").ToSize2(), args.GetProperty("ceil_mode").GetBoolean(),
                args.GetProperty("count_include_pad").GetBoolean(),
                args.GetProperty("divisor_override").ValueKind == JsonValueKind.Null ? null : args.GetProperty("divisor_override").GetInt32()),
            _ => F.AdaptiveAvgPool2d(input, args.GetProperty("output_size").ToSize2()),
        };

        Close(c.GetProperty("output").ToTensor(), output, $"{description}: output");
        Assert.Equal(c.GetProperty("grad_fn").GetString(), output.GradFn!.Name);
        output.Backward(c.GetProperty("upstream").ToTensor());
        Close(c.GetProperty("grad_input").ToTensor(), input.Grad!, $"{description}: grad input");
    }

    [Fact]
    public void Max_pool_takes_the_first_of_equal_maxima_and_the_last_nan()
    {
        var x = Tensor.FromArray([3, 1, 3, 2, 1, float.NaN, float.NaN, 2], 1, 1, 2, 4);
        x.RequiresGrad = true;
        var y = F.MaxPool2d(x, (1, 4));
        Assert.Equal(3f, y.ToArray()[0]);
        Assert.True(float.IsNaN(y.ToArray()[1]));
        y.Sum().Backward();
        Assert.Equal([1f, 0, 0, 0, 0, 0, 1, 0], x.Grad!.ToArray());
    }

    [Fact]
    public void A_max_window_of_padding_alone_is_minus_infinity_and_passes_no_gradient()
    {
        var x = Tensor.FromArray([.. Enumerable.Range(0, 9).Select(i => (float)i)], 1, 1, 3, 3);
        x.RequiresGrad = true;
        var y = F.MaxPool2d(x, 2, stride: 1, padding: 1, dilation: 4);
        Assert.Equal([float.NegativeInfinity], y.ToArray());
        y.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Modules_print_as_pytorch_and_pool_as_the_functions()
    {
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).ToString());
        Assert.Equal(
            "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)",
            new MaxPool2d((2, 3), stride: 1, padding: 1, dilation: 2, ceilMode: true).ToString());
        Assert.Equal("AvgPool2d(kernel_size=2, stride=2, padding=0)", new AvgPool2d(2).ToString());
        Assert.Equal("AvgPool2d(kernel_size=(2, 3), stride=1, padding=1)", new AvgPool2d((2, 3), 1, 1, ceilMode: true, countIncludePad: false).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=(1, 1))", new AdaptiveAvgPool2d((1, 1)).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=(2, 3))", new AdaptiveAvgPool2d((2, 3)).ToString());
        Assert.Equal(
            "Sequential(\n  (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n  (1): AdaptiveAvgPool2d(output_size=(1, 1))\n)",
            new Sequential(new MaxPool2d(2), new AdaptiveAvgPool2d((1, 1))).ToString());

        var x = new TestData(5).Normal(2, 3, 7, 6);
        Assert.Equal(F.MaxPool2d(x, 3, 2, 1, ceilMode: true).ToArray(), new MaxPool2d(3, 2, 1, ceilMode: true).Forward(x).ToArray());
        Assert.Equal(F.AvgPool2d(x, 3, 2, 1, true, false).ToArray(), new AvgPool2d(3, 2, 1, true, false).Forward(x).ToArray());
        Assert.Equal(F.AdaptiveAvgPool2d(x, (2, 3)).ToArray(), new AdaptiveAvgPool2d((2, 3)).Forward(x).ToArray());
        Assert.Empty(new MaxPool2d(2).Parameters());
    }

    public static TheoryData<string, string> BadArguments() => new()
    {
        { "max kernel 0", "kernel_size must be greater than zero, but got kernel_size=(0, 0)" },
        { "max stride -1", "stride must be greater than zero, but got stride=(-1, -1)" },
        { "max dilation 0", "dilation must be greater than zero, but got dilation=(0, 0)" },
        { "max padding -1", "pad must be non-negative, but got padding=(-1, -1)" },
        { "max padding 2 kernel 2", "pad should be at most half of kernel size, but got padding=(2, 2) and kernel_size=(2, 2)" },
        { "max padding 2 kernel 2 dilation 3", "pad should be at most half of kernel size, but got padding=(2, 2) and kernel_size=(2, 2)" },
        { "max kernel 5 on 4x4", "given input size (1x4x4), kernel_size=(5, 5), stride=(5, 5), padding=(0, 0), dilation=(1, 1) and ceil_mode=False give output size (1x0x0). Output size is too small" },
        { "max kernel int.MaxValue", "Output size is too small" },
        { "max dilation int.MaxValue", "Output size is too small" },
        { "max 2-D input", "expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, but got input of size [4, 4]" },
        { "max 5-D input", "but got input of size [1, 1, 1, 4, 4]" },
        { "max empty channels", "input has size [2, 0, 4, 4] with dimension 1 being empty" },
        { "max empty plane", "input has size [2, 1, 0, 4] with dimension 2 being empty" },
        { "avg kernel (2, 0)", "kernel_size must be greater than zero, but got kernel_size=(2, 0)" },
        { "avg padding 2 kernel 3", "pad should be at most half of kernel size, but got padding=(2, 2) and kernel_size=(3, 3)" },
        { "avg kernel 5 on 4x4", "Output size is too small" },
        { "avg divisor 0", "divisor must be not zero" },
        { "avg 3-D empty plane", "input has size [1, 4, 0] with dimension 2 being empty" },
        { "adaptive (0, 1)", "elements of output_size must be greater than 0, but got output_size=(0, 1) for input [1, 1, 4, 4]" },
        { "adaptive -1", "elements of output_size must be greater than 0, but got output_size=(-1, -1)" },
        { "adaptive 2-D input", "expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, but got input of size [4, 4]" },
        { "adaptive empty plane", "input has size [2, 1, 4, 0] with dimension 3 being empty" },
        { "adaptive huge", "the output would have size [1, 1, 2147483647, 2147483647]" },
        { "module kernel 0", "kernel_size must be greater than zero" },
        { "module stride 0", "stride must be greater than zero" },
        { "module divisor 0", "divisor must be not zero" },
        { "module output 0", "elements of output_size must be greater than 0" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_are_argument_exceptions_that_name_the_rule(string call, string message)
    {
        var x = Tensor.Zeros(1, 1, 4, 4);
        Action act = call switch
        {
            "max kernel 0" => () => F.MaxPool2d(x, 0),
            "max stride -1" => () => F.MaxPool2d(x, 2, stride: -1),
            "max dilation 0" => () => F.MaxPool2d(x, 2, dilation: 0),
            "max padding -1" => () => F.MaxPool2d(x, 2, padding: -1),
            "max padding 2 kernel 2" => () => F.MaxPool2d(x, 2, padding: 2),
            "max padding 2 kernel 2 dilation 3" => () => F.MaxPool2d(x, 2, padding: 2, dilation: 3),
            "max kernel 5 on 4x4" => () => F.MaxPool2d(x, 5),
            "max kernel int.MaxValue" => () => F.MaxPool2d(x, int.MaxValue),
            "max dilation int.MaxValue" => () => F.MaxPool2d(x, 2, dilation: int.MaxValue),
            "max 2-D input" => () => F.MaxPool2d(Tensor.Zeros(4, 4), 2),
            "max 5-D input" => () => F.MaxPool2d(Tensor.Zeros(1, 1, 1, 4, 4), 2),
            "max empty channels" => () => F.MaxPool2d(Tensor.Zeros(2, 0, 4, 4), 2),
            "max empty plane" => () => F.MaxPool2d(Tensor.Zeros(2, 1, 0, 4), 2),
            "avg kernel (2, 0)" => () => F.AvgPool2d(x, (2, 0)),
            "avg padding 2 kernel 3" => () => F.AvgPool2d(x, 3, padding: 2),
            "avg kernel 5 on 4x4" => () => F.AvgPool2d(x, 5),
            "avg divisor 0" => () => F.AvgPool2d(x, 2, divisorOverride: 0),
            "avg 3-D empty plane" => () => F.AvgPool2d(Tensor.Zeros(1, 4, 0), 2),
            "adaptive (0, 1)" => () => F.AdaptiveAvgPool2d(x, (0, 1)),
            "adaptive -1" => () => F.AdaptiveAvgPool2d(x, -1),
            "adaptive 2-D input" => () => F.AdaptiveAvgPool2d(Tensor.Zeros(4, 4), 2),
            "adaptive empty plane" => () => F.AdaptiveAvgPool2d(Tensor.Zeros(2, 1, 4, 0), 2),
            "adaptive huge" => () => F.AdaptiveAvgPool2d(x, int.MaxValue),
            "module kernel 0" => () => _ = new MaxPool2d(0),
            "module stride 0" => () => _ = new AvgPool2d(2, stride: (1, 0)),
            "module divisor 0" => () => _ = new AvgPool2d(2, divisorOverride: 0),
            _ => () => _ = new AdaptiveAvgPool2d(0),
        };

        var e = Assert.ThrowsAny<ArgumentException>(act);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_strides_and_paddings_give_pytorchs_sizes_without_overflow_or_hang()
    {
        var x = new TestData(3).Normal(1, 1, 4, 4);
        Assert.Equal([1, 1, 1, 1], F.MaxPool2d(x, 2, stride: int.MaxValue).Shape);
        Assert.Equal([1, 1, 1, 1], F.AvgPool2d(x, 2, stride: int.MaxValue, ceilMode: true).Shape);
        Assert.Equal([1, 1, 1, 1], F.MaxPool2d(x, 2, stride: int.MaxValue - 1, padding: 1, ceilMode: true).Shape);
        Assert.Equal([1, 1, 2, 2], F.MaxPool2d(x, 2, stride: 3, padding: 1, ceilMode: true).Shape);

        // A kernel as large as int allows, padded by half of it: every window holds the whole plane.
        var y = F.MaxPool2d(x, int.MaxValue, stride: 1, padding: int.MaxValue / 2);
        Assert.Equal([1, 1, 4, 4], y.Shape);
        Assert.All(y.ToArray(), v => Assert.Equal(x.Max(), v));
        var z = F.AvgPool2d(x, int.MaxValue, stride: 1, padding: int.MaxValue / 2, countIncludePad: false);
        Assert.All(z.ToArray(), v => Assert.Equal(x.Mean().Item(), v, 1e-5f));
    }

    [Fact]
    public void Pooling_reads_non_contiguous_input_and_an_empty_batch()
    {
        var x = new TestData(8).Normal(2, 3, 6, 5);
        var t = x.Transpose(2, 3);
        Assert.Equal(F.MaxPool2d(t.Contiguous(), 2).ToArray(), F.MaxPool2d(t, 2).ToArray());
        Assert.Equal(F.AvgPool2d(t.Contiguous(), 3, 2, 1).ToArray(), F.AvgPool2d(t, 3, 2, 1).ToArray());
        Assert.Equal(F.AdaptiveAvgPool2d(t.Contiguous(), 2).ToArray(), F.AdaptiveAvgPool2d(t, 2).ToArray());
        Assert.Equal([0, 3, 2, 2], F.MaxPool2d(Tensor.Zeros(0, 3, 4, 4), 2).Shape);
        Assert.Equal([0, 3, 2, 2], F.AdaptiveAvgPool2d(Tensor.Zeros(0, 3, 4, 4), 2).Shape);
    }

    [Fact]
    public void Changing_the_input_in_place_before_backward_is_an_error_as_in_pytorch()
    {
        var leaf = new TestData(2).Normal(1, 1, 4, 4);
        leaf.RequiresGrad = true;
        var x = leaf * 1f;
        var y = F.MaxPool2d(x, 2);
        x.AddInPlace(Tensor.Ones(1, 1, 4, 4));
        var e = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("MaxPool2DWithIndicesBackward0", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> GradCheckCases() => ["2/2", "3/2 pad 1 ceil", "3/2 pad 1 ceil exclude pad", "(2,3)/(1,2) divisor 5", "adaptive (3, 4)", "adaptive (1, 1)"];

    [Theory]
    [MemberData(nameof(GradCheckCases))]
    public void Average_gradients_match_finite_differences(string setting)
    {
        Func<Tensor[], Tensor> f = setting switch
        {
            "2/2" => a => F.AvgPool2d(a[0], 2),
            "3/2 pad 1 ceil" => a => F.AvgPool2d(a[0], 3, 2, 1, ceilMode: true),
            "3/2 pad 1 ceil exclude pad" => a => F.AvgPool2d(a[0], 3, 2, 1, ceilMode: true, countIncludePad: false),
            "(2,3)/(1,2) divisor 5" => a => F.AvgPool2d(a[0], (2, 3), (1, 2), (1, 1), divisorOverride: 5),
            "adaptive (3, 4)" => a => F.AdaptiveAvgPool2d(a[0], (3, 4)),
            _ => a => F.AdaptiveAvgPool2d(a[0], 1),
        };

        GradCheck.Check(f, [new TestData(11).Normal(2, 2, 6, 5)], what: setting);
    }

    public static TheoryData<int, int> TiledKernels() => new() { { 2, 2 }, { 3, 2 }, { 1, 2 }, { 2, 3 }, { 3, 3 }, { 1, 1 }, { 4, 2 } };

    [Theory]
    [MemberData(nameof(TiledKernels))]
    public void Fast_kernels_give_the_reference_results_exactly(int kh, int kw)
    {
        var rng = new System.Random((kh * 10) + kw);
        for (var trial = 0; trial < 12; trial++)
        {
            var (planes, oh, ow) = (rng.Next(1, 5), rng.Next(1, 6), rng.Next(1, 14));
            int[] shape = [planes, 1, (oh * kh) + rng.Next(0, kh), (ow * kw) + rng.Next(0, kw)];
            var g = PoolGeometries.Window("max_pool2d", shape, (kh, kw), (kh, kw), 0, 1, ceilMode: false);
            Assert.True(g.IsTiled);
            // Few distinct values (ties), with NaN and -inf here and there.
            var input = new float[planes * g.PlaneSize];
            for (var i = 0; i < input.Length; i++)
            {
                var r = rng.Next(100);
                input[i] = r < 3 ? float.NaN : r < 6 ? float.NegativeInfinity : trial % 2 == 0 ? rng.Next(-2, 3) : (float)rng.NextDouble();
            }

            var outputs = planes * g.OutputPlaneSize;
            var (fast, reference) = (new float[outputs], new float[outputs]);
            var (fastAt, referenceAt) = (new int[outputs], new int[outputs]);
            MaxPoolTiled.Forward(g, input, fast, fastAt, planes);
            MaxPoolReference.Forward(g, input, reference, referenceAt, planes);
            Assert.Equal(reference, fast);
            Assert.Equal(referenceAt, fastAt);

            foreach (var options in new AvgPoolOptions[] { new(true, null), new(false, null), new(true, -3) })
            {
                var finite = input.Select(v => float.IsFinite(v) ? v : 0.5f).ToArray();
                AvgPoolTiled.Forward(g, finite, fast, options, planes);
                AvgPoolReference.Forward(g, finite, reference, options, planes);
                Assert.Equal(reference, fast);

                var gradOutput = finite[..outputs];
                var (fastGrad, referenceGrad) = (Enumerable.Repeat(float.NaN, input.Length).ToArray(), new float[input.Length]);
                AvgPoolTiled.Backward(g, gradOutput, fastGrad, options, planes);
                AvgPoolReference.Backward(g, gradOutput, referenceGrad, options, planes);
                Assert.Equal(referenceGrad, fastGrad);
            }
        }
    }

    [Fact]
    public void Large_calls_run_planes_in_parallel_with_the_same_results()
    {
        var x = new TestData(21).Normal(32, 8, 28, 28);
        x.RequiresGrad = true;
        var upstream = new TestData(22).Normal(32, 8, 14, 14);
        Tensor serialOut, serialGrad, parallelOut, parallelGrad;
        using (ConvPlanOptions.Use(new ConvPlanOptions { MaxDegreeOfParallelism = 1 }))
        {
            serialOut = F.MaxPool2d(x, 2) + F.AvgPool2d(x, 2) + F.AvgPool2d(x, 3, 2, 1, ceilMode: true)[.., .., ..14, ..14];
            serialOut.Backward(upstream);
            serialGrad = x.Grad!.Clone();
            x.Grad = null;
        }

        using (ConvPlanOptions.Use(new ConvPlanOptions { MaxDegreeOfParallelism = 4 }))
        {
            parallelOut = F.MaxPool2d(x, 2) + F.AvgPool2d(x, 2) + F.AvgPool2d(x, 3, 2, 1, ceilMode: true)[.., .., ..14, ..14];
            parallelOut.Backward(upstream);
            parallelGrad = x.Grad!;
        }

        Assert.Equal(serialOut.ToArray(), parallelOut.ToArray());
        Assert.Equal(serialGrad.ToArray(), parallelGrad.ToArray());
    }

    /// <summary>Expect.Close, with infinities (a max window of padding alone) required in the same places with the same sign.</summary>
    private static void Close(Tensor expected, Tensor actual, string what)
    {
        var (e, a) = (expected.ToArray(), actual.ToArray());
        Assert.Equal(expected.Shape, actual.Shape);
        for (var i = 0; i < e.Length; i++)
        {
            if (float.IsInfinity(e[i]) || float.IsInfinity(a[i]))
            {
                Assert.True(e[i] == a[i], $"{what}: element {i} is {a[i]}, expected {e[i]}");
                (e[i], a[i]) = (0, 0);
            }
        }

        Expect.Close(e, a, what: what);
    }

    private static Size2? OptionalSize(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element.ToSize2();
}
