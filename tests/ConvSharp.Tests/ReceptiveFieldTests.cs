using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

public class ReceptiveFieldTests
{
    [Fact]
    public void Stacked_3x3_convolutions_grow_by_two_per_layer()
    {
        var steps = ReceptiveField.Compute(Enumerable.Repeat(new LayerSpec("conv3x3", 3, Padding: 1), 3));
        Assert.Equal([3, 5, 7], steps.Select(s => s.Size));
        Assert.All(steps, s => Assert.Equal(1, s.Jump));
        Assert.All(steps, s => Assert.Equal(0.0, s.Start));
    }

    [Fact]
    public void Strides_and_dilations_follow_the_recurrences()
    {
        // conv3x3 → conv3x3 s2 → pool2 s2 → conv3x3 d2
        var steps = ReceptiveField.Compute(
        [
            new LayerSpec("conv3x3", 3),
            new LayerSpec("conv3x3s2", 3, Stride: 2),
            new LayerSpec("pool2", 2, Stride: 2),
            new LayerSpec("conv3x3d2", 3, Dilation: 2),
        ]);
        Assert.Equal([3, 5, 7, 23], steps.Select(s => s.Size));
        Assert.Equal([1, 2, 4, 4], steps.Select(s => s.Jump));
        Assert.Equal([1.0, 2.0, 3.0, 11.0], steps.Select(s => s.Start));
    }

    [Fact]
    public void The_recurrences_agree_with_the_support_of_the_gradient()
    {
        // Brute force: the receptive field of one output of a stack of convolutions is where
        // its gradient with respect to the input is non-zero (with all-ones kernels).
        var layers = new[] { (k: 3, s: 1, d: 1), (k: 2, s: 2, d: 1), (k: 3, s: 1, d: 2), (k: 2, s: 1, d: 1) };
        var x = Tensor.Ones(1, 1, 40, 40);
        x.RequiresGrad = true;
        var y = x;
        foreach (var (k, s, d) in layers)
        {
            y = F.Conv2d(y, Tensor.Ones(1, 1, k, k), stride: s, dilation: d);
        }

        y[0, 0, 1, 2].Backward();
        var grad = x.Grad!.Reshape(40, 40);
        var rows = Enumerable.Range(0, 40).Where(i => grad[i].Abs().Sum().Item() > 0).ToArray();
        var cols = Enumerable.Range(0, 40).Where(j => grad[.., j].Abs().Sum().Item() > 0).ToArray();
        var last = ReceptiveField.Compute(layers.Select(l => new LayerSpec("c", l.k, l.s, l.d)))[^1];
        Assert.Equal(last.Size, rows.Length);
        Assert.Equal(last.Size, cols.Length);
        // The field of output (1, 2) is centred at start + index·jump.
        Assert.Equal(last.Start + (1 * last.Jump), (rows[0] + rows[^1]) / 2.0);
        Assert.Equal(last.Start + (2 * last.Jump), (cols[0] + cols[^1]) / 2.0);
    }

    [Fact]
    public void Invalid_layers_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ReceptiveField.Compute([new LayerSpec("bad", 0)]));
        Assert.Throws<ArgumentException>(() => ReceptiveField.Compute([new LayerSpec("bad", 3, Padding: -1)]));
    }
}

/// <summary>The text form of a stack, as <c>convsharp rf</c> takes it.</summary>
public class ReceptiveFieldParseTests
{
    [Fact]
    public void Layers_read_with_their_defaults()
    {
        var layers = ReceptiveField.Parse("conv3x3, conv3x3s2, pool2, conv3x3d2, conv7s2p3, pool3s2");
        Assert.Equal(
            [
                new LayerSpec("conv3x3", 3, 1, 1, 1),
                new LayerSpec("conv3x3s2", 3, 2, 1, 1),
                new LayerSpec("pool2", 2, 2, 1, 0),
                new LayerSpec("conv3x3d2", 3, 1, 2, 2),
                new LayerSpec("conv7s2p3", 7, 2, 1, 3),
                new LayerSpec("pool3s2", 3, 2, 1, 0),
            ],
            layers);
    }

    [Fact]
    public void The_issue_example_follows_the_recurrences()
    {
        // r, j, start by hand: conv3 (3, 1, 0); conv3 s2 (5, 2, 0); pool2 (7, 4, 1); conv3 d2: k' = 5, r = 7 + 4·4 = 23, j = 4, start = 1 + (2 − 2)·4 = 1.
        var steps = ReceptiveField.Compute(ReceptiveField.Parse("conv3x3,conv3x3s2,pool2,conv3x3d2"));
        Assert.Equal([(3, 1, 0.0), (5, 2, 0.0), (7, 4, 1.0), (23, 4, 1.0)], steps.Select(s => (s.Size, s.Jump, s.Start)));
    }

    [Theory]
    [InlineData("conv3y")]
    [InlineData("conv3x5")]
    [InlineData("dense")]
    [InlineData("conv3x3,,pool2")]
    public void Bad_layers_are_named_in_the_error(string stack)
    {
        var e = Assert.Throws<ArgumentException>(() => ReceptiveField.Parse(stack));
        Assert.Contains("layer", e.Message, StringComparison.Ordinal);
    }
}
