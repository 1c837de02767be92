using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>Every differentiable op's gradient against central finite differences (no PyTorch involved).</summary>
[Trait("Category", "GradCheck")]
public class GradCheckTests
{
    private static readonly HashSet<string> PositiveOnly = ["div", "log", "sqrt", "pow_half", "rdiv_scalar"];

    public static TheoryData<string> OpNames() => OpsTests.OpNames();

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Op_gradient_matches_finite_differences(string name)
    {
        var shapes = Fixtures.Cases("ops").Single(c => c.GetProperty("op").GetString() == name)
            .GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("shape").ToInts()).ToArray();
        var data = new TestData(name.Length * 31);
        var inputs = shapes.Select(s => PositiveOnly.Contains(name) ? data.Uniform(0.5f, 2f, s) : data.AwayFromZero(s)).ToArray();
        GradCheck.Check(OpsTests.Ops[name], inputs, what: name);
    }

    public static TheoryData<string, int, int, int, int, int, int, int> ConvCases() => new()
    {
        // name, stride, padding, dilation, groups, kernel, channels, out channels
        { "plain", 1, 0, 1, 1, 3, 2, 3 },
        { "stride 2, padding 1", 2, 1, 1, 1, 3, 2, 2 },
        { "dilation 2", 1, 2, 2, 1, 2, 1, 2 },
        { "groups 2", 1, 1, 1, 2, 3, 4, 2 },
        { "depthwise", 1, 1, 1, 3, 2, 3, 3 },
        { "1x1", 1, 0, 1, 1, 1, 3, 2 },
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_gradients_for_input_weight_and_bias(string name, int stride, int padding, int dilation, int groups, int kernel, int channels, int outChannels)
    {
        var data = new TestData(name.Length);
        var x = data.Normal(2, channels, 5, 6);
        var w = data.Normal(outChannels, channels / groups, kernel, kernel);
        var b = data.Normal(outChannels);
        GradCheck.Check(
            t => F.Conv2d(t[0], t[1], t[2], stride: stride, padding: padding, dilation: dilation, groups: groups),
            [x, w, b], what: name);
    }

    [Theory]
    [InlineData(PaddingMode.Zeros)]
    [InlineData(PaddingMode.Reflect)]
    [InlineData(PaddingMode.Replicate)]
    [InlineData(PaddingMode.Circular)]
    [InlineData(PaddingMode.Symmetric)]
    public void Conv2d_gradients_through_every_padding_mode(PaddingMode mode)
    {
        var data = new TestData((int)mode + 5);
        GradCheck.Check(
            t => F.Conv2d(t[0], t[1], null, padding: (2, 1), paddingMode: mode),
            [data.Normal(1, 2, 4, 5), data.Normal(2, 2, 3, 3)], what: mode.ToString());
    }

    [Fact]
    public void Same_and_asymmetric_padding_gradients()
    {
        var data = new TestData(3);
        GradCheck.Check(t => F.Conv2d(t[0], t[1], padding: Padding.Same), [data.Normal(1, 1, 5, 4), data.Normal(1, 1, 2, 3)], what: "same");
        GradCheck.Check(t => F.Conv2d(t[0], t[1], stride: 2, padding: Padding.Same), [data.Normal(1, 1, 6, 5), data.Normal(1, 1, 3, 3)], what: "same, stride 2");
        GradCheck.Check(
            t => F.Conv2d(t[0], t[1], padding: Padding.Explicit(0, 2, 1, 0)),
            [data.Normal(1, 1, 4, 4), data.Normal(1, 1, 2, 2)], what: "explicit");
    }

    [Fact]
    public void Corr2d_and_Convolve2d_gradients()
    {
        var data = new TestData(4);
        GradCheck.Check(t => F.Corr2d(t[0], t[1]), [data.Normal(4, 5), data.Normal(2, 3)], what: "corr2d");
        GradCheck.Check(t => F.Convolve2d(t[0], t[1]), [data.Normal(1, 1, 4, 5), data.Normal(1, 1, 2, 3)], what: "convolve2d");
    }

    [Fact]
    public void Unfold_and_fold_gradients()
    {
        var data = new TestData(5);
        GradCheck.Check(t => F.Unfold(t[0], kernelSize: (2, 3), padding: 1, stride: (2, 1), dilation: (1, 2)), [data.Normal(1, 2, 4, 5)], what: "unfold");
        GradCheck.Check(t => F.Fold(t[0], outputSize: (4, 5), kernelSize: 2), [data.Normal(1, 8, 12)], what: "fold");
    }

    [Fact]
    public void Symmetric_padding_gradient()
    {
        var data = new TestData(6);
        GradCheck.Check(t => F.Pad(t[0], (3, 1, 2, 2), PaddingMode.Symmetric), [data.Normal(1, 3, 4)], what: "symmetric pad");
    }

    [Fact]
    public void Assignment_into_an_index_gradient()
    {
        // The book's corr2d writes Y[i, j] = ...; autograd must see through the writes.
        var data = new TestData(7);
        GradCheck.Check(
            t =>
            {
                var y = Tensor.Zeros(3, 4);
                y[1..3, 1] = t[0].Exp();
                y[0] = t[1] * 2f;
                return y * y;
            },
            [data.Normal(2), data.Normal(4)], what: "index assignment");
    }
}
