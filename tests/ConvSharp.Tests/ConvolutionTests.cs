using ConvSharp.Nn;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

[Trait("Category", "Engine")]
public class ConvolutionTests
{
    [Fact]
    public void Corr2d_gives_the_books_first_result()
    {
        var X = Tensor.From(new float[,] { { 0, 1, 2 }, { 3, 4, 5 }, { 6, 7, 8 } });
        var K = Tensor.From(new float[,] { { 0, 1 }, { 2, 3 } });
        Expect.Values([19, 25, 37, 43], F.Corr2d(X, K));
    }

    [Fact]
    public void Corr2d_detects_the_books_edges_and_none_after_transposing()
    {
        var X = Tensor.Ones(6, 8);
        X[.., 2..6] = 0;
        var Y = F.Corr2d(X, Kernels.Edge());
        Expect.Shape([6, 7], Y);
        for (var i = 0; i < 6; i++)
        {
            Expect.Values([0, 1, 0, 0, 0, -1, 0], Y[i]);
        }

        var transposed = F.Corr2d(X.T, Kernels.Edge());
        Expect.Shape([8, 5], transposed);
        Assert.All(transposed.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(1, 3, 7, 6, 4, 3, 2, 1, 1, 1)]
    [InlineData(2, 2, 5, 5, 3, 2, 1, 2, 1, 1)]
    [InlineData(2, 4, 6, 7, 6, 3, 1, 1, 2, 2)]
    [InlineData(1, 6, 5, 5, 6, 3, 2, 1, 1, 6)]
    [InlineData(3, 1, 4, 9, 2, 1, 0, 3, 1, 1)]
    public void Conv2d_equals_unfold_then_matmul(int n, int c, int h, int w, int oc, int k, int padding, int stride, int dilation, int groups)
    {
        var data = new TestData((n * 100) + (c * 10) + k);
        var x = data.Normal(n, c, h, w);
        var weight = data.Normal(oc, c / groups, k, k);
        var bias = data.Normal(oc);
        var y = F.Conv2d(x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups);

        // Per group: (OC/g, C/g·k·k) × (N, C/g·k·k, L) → (N, OC/g, L).
        var (cg, og) = (c / groups, oc / groups);
        var parts = Enumerable.Range(0, groups).Select(g =>
        {
            var cols = F.Unfold(x[.., (g * cg)..((g + 1) * cg)], kernelSize: k, dilation: dilation, padding: padding, stride: stride);
            return weight[(g * og)..((g + 1) * og)].Reshape(og, -1).MatMul(cols);
        }).ToArray();
        for (var g = 0; g < groups; g++)
        {
            var expected = (parts[g] + bias[(g * og)..((g + 1) * og)].Reshape(og, 1)).Reshape(n, og, y.Size(2), y.Size(3));
            Expect.Close(expected, y[.., (g * og)..((g + 1) * og)], what: $"group {g}");
        }
    }

    [Fact]
    public void Corr2d_equals_conv2d_on_one_channel()
    {
        var data = new TestData(12);
        var x = data.Normal(7, 9);
        var k = data.Normal(3, 4);
        Expect.Close(F.Corr2d(x, k), F.Conv2d(x.Reshape(1, 1, 7, 9), k.Reshape(1, 1, 3, 4)).Reshape(5, 6));
    }

    [Fact]
    public void Convolve2d_is_cross_correlation_with_the_flipped_kernel()
    {
        var data = new TestData(13);
        var x = data.Normal(2, 3, 6, 6);
        var k = data.Normal(4, 3, 3, 2);
        Assert.True(Tensor.Equal(F.Conv2d(x, k.Flip(2, 3), padding: 1), F.Convolve2d(x, k, padding: 1)));

        // The true convolution of a delta image with a kernel reproduces the kernel, not its mirror.
        var delta = Tensor.Zeros(1, 1, 5, 5);
        delta[0, 0, 2, 2] = 1;
        var kernel = Tensor.Arange(1, 10).Reshape(1, 1, 3, 3);
        Expect.Close(kernel.Flip(2, 3), F.Conv2d(delta, kernel));
        Expect.Close(kernel, F.Convolve2d(delta, kernel));
    }

    [Fact]
    public void Unbatched_input_gives_unbatched_output()
    {
        var data = new TestData(14);
        var x = data.Normal(2, 5, 5);
        var w = data.Normal(3, 2, 3, 3);
        var y = F.Conv2d(x, w, padding: 1);
        Expect.Shape([3, 5, 5], y);
        Expect.Close(F.Conv2d(x.Unsqueeze(0), w, padding: 1).Squeeze(0), y);
    }

    [Fact]
    public void Same_padding_keeps_the_size_and_puts_the_extra_row_at_the_end()
    {
        var x = Tensor.Arange(1, 17).Reshape(1, 1, 4, 4);
        var k = Tensor.Ones(1, 1, 2, 2);
        var y = F.Conv2d(x, k, padding: Padding.Same);
        Expect.Shape([1, 1, 4, 4], y);
        Expect.Close(F.Conv2d(F.Pad(x, (0, 1, 0, 1)), k), y);

        // TensorFlow's rule for stride 2: out = ceil(5 / 2) = 3, total padding 2 split 1 / 1.
        var z = F.Conv2d(Tensor.Ones(1, 1, 5, 5), Tensor.Ones(1, 1, 3, 3), stride: 2, padding: Padding.Same);
        Expect.Shape([1, 1, 3, 3], z);
        Expect.Values([4, 6, 4, 6, 9, 6, 4, 6, 4], z);
        Expect.Shape([1, 1, 3, 3], F.Conv2d(Tensor.Ones(1, 1, 5, 5), Tensor.Ones(1, 1, 3, 3), padding: Padding.Valid));
    }

    [Fact]
    public void Padding_modes_fill_the_border_as_named()
    {
        var row = Tensor.From(new float[,] { { 1, 2, 3, 4 } });
        Expect.Values([3, 2, 1, 2, 3, 4, 3, 2], F.Pad(row, (2, 2, 0, 0), PaddingMode.Reflect));
        Expect.Values([2, 1, 1, 2, 3, 4, 4, 3], F.Pad(row, (2, 2, 0, 0), PaddingMode.Symmetric));
        Expect.Values([1, 1, 1, 2, 3, 4, 4, 4], F.Pad(row, (2, 2, 0, 0), PaddingMode.Replicate));
        Expect.Values([3, 4, 1, 2, 3, 4, 1, 2], F.Pad(row, (2, 2, 0, 0), PaddingMode.Circular));
        Expect.Values([0, 0, 1, 2, 3, 4, 0, 0], F.Pad(row, (2, 2, 0, 0)));
        Expect.Values([9, 1, 2, 3, 4, 9], F.Pad(row, (1, 1, 0, 0), value: 9));

        // Rows of an image with no rows are all border: the constant, not whatever the memory held.
        Expect.Values([7, 7, 7, 7, 7, 7, 7, 7], F.Pad(Tensor.Zeros(2, 0, 4), (0, 0, 1, 0), value: 7));
    }

    [Fact]
    public void The_books_layer_is_corr2d_plus_a_scalar_bias()
    {
        var layer = new Corr2dLayer((1, 2));
        Assert.Equal(2, layer.Parameters().Count());
        var x = Tensor.Ones(3, 4);
        using (Tensor.NoGrad())
        {
            layer.Bias.Fill(0.5f);
        }

        Expect.Close(F.Corr2d(x, layer.Weight) + 0.5f, layer.Forward(x));
        Assert.All(layer.Weight.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Conv2d_layer_names_its_parameters_like_a_pytorch_state_dict()
    {
        var model = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Conv2d(2, 1, 1, bias: false));
        Assert.Equal(["0.weight", "0.bias", "2.weight"], model.NamedParameters().Select(p => p.Name));
        Expect.Shape([1, 1, 3, 3], model.Forward(Tensor.Ones(1, 1, 5, 5)));
        var conv = new Conv2d(6, 4, (3, 2), groups: 2);
        Expect.Shape([4, 3, 3, 2], conv.Weight);
        var bound = 1 / Math.Sqrt(3 * 3 * 2);
        Assert.All(conv.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
    }
}
