using ConvSharp.Nn;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Layers;

/// <summary>Dropout statistics, NaN and tie rules, shapes, the vectorised activations against their scalar formulas, and bad arguments.</summary>
public class LayerBehaviourTests
{
    [Fact]
    public void Dropout_zeroes_about_p_and_preserves_the_mean_in_training()
    {
        Rng.ManualSeed(7);
        var x = Tensor.Full([200_000], 2f);
        x.RequiresGrad = true;
        var y = F.Dropout(x, 0.3f);
        var values = y.ToArray();
        var zeros = values.Count(v => v == 0f);
        Assert.InRange(zeros / 200_000.0, 0.29, 0.31);
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - (2f / 0.7f)) < 1e-6, $"{v}"));
        Assert.InRange(y.Mean().Item(), 1.97f, 2.03f);
        Assert.Equal("NativeDropoutBackward0", y.GradFn!.Name);

        // The gradient uses the same mask and scale.
        y.Sum().Backward();
        var grad = x.Grad!.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i] / 2f, grad[i], 1e-6f);
        }
    }

    [Fact]
    public void Dropout_is_the_identity_in_evaluation_mode_and_reproducible_after_a_seed()
    {
        var x = new TestData(1).Normal(4, 8);
        var layer = new Dropout(0.5f);
        Assert.True(layer.Training);
        layer.Eval();
        Assert.Same(x, layer.Forward(x));
        Assert.Same(x, F.Dropout(x, 0.9f, training: false));
        layer.Train();
        Rng.ManualSeed(3);
        var a = layer.Forward(x).ToArray();
        Rng.ManualSeed(3);
        var b = layer.Forward(x).ToArray();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Dropout_with_p_1_gives_zeros_and_p_0_the_input()
    {
        var x = new TestData(2).Normal(3, 5);
        Assert.All(F.Dropout(x, 1f).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(x.ToArray(), F.Dropout(x, 0f).ToArray());
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Dropout_probability_outside_0_1_is_an_error(float p)
    {
        var e = Assert.Throws<ArgumentException>(() => new Dropout(p));
        Assert.Contains("dropout probability has to be between 0 and 1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => F.Dropout(Tensor.Ones(2), p));
    }

    [Fact]
    public void Max_propagates_the_first_nan_and_takes_the_first_of_ties()
    {
        var x = Tensor.FromArray([1f, float.NaN, 5f, float.NaN, 2f, 2f, 2f, 1f], 2, 4);
        var (values, indices) = x.Max(1);
        Assert.True(float.IsNaN(values.ToArray()[0]));
        Assert.Equal([1f, 0f], indices.ToArray());
        Assert.Equal(2f, values.ToArray()[1]);
        Assert.Equal([1f, 0f], x.ArgMax(1).ToArray());
        Assert.Equal(1f, x.ArgMax().Item());
        Assert.Equal([0f, 0f, 0f, 0f], Tensor.FromArray([float.NaN, 1f, 2f, 3f], 1, 4).ArgMax(0).ToArray());
    }

    [Fact]
    public void Max_of_a_scalar_and_keep_dim_shapes()
    {
        var (v, i) = Tensor.Scalar(3f).Max(0);
        Assert.Equal(3f, v.Item());
        Assert.Equal(0f, i.Item());
        Assert.Empty(v.Shape);
        var x = new TestData(3).Normal(2, 3, 4);
        Assert.Equal([2, 1, 4], x.Max(1, keepDim: true).Values.Shape);
        Assert.Equal([2, 3], x.ArgMax(-1).Shape);
    }

    [Fact]
    public void Softmax_of_huge_logits_does_not_overflow()
    {
        var x = Tensor.FromArray([1e30f, -1e30f, 0f, 1e30f], 1, 4);
        Assert.Equal([0.5f, 0f, 0f, 0.5f], F.Softmax(x, 1).ToArray());
        var log = F.LogSoftmax(x, -1).ToArray();
        Assert.Equal(-MathF.Log(2f), log[0], 1e-6f);
        Assert.True(float.IsFinite(log[1]));
        var loss = F.CrossEntropyLoss(Tensor.FromArray([3000f, -3000f, 0f], 1, 3), [1]);
        Assert.Equal(6000f, loss.Item());
    }

    [Fact]
    public void Softmax_rows_longer_than_a_vector_sum_to_one()
    {
        var x = new TestData(5).Normal(3, 1001);
        var y = F.Softmax(x * 10f, 1);
        var sums = y.Sum(1).ToArray();
        Assert.All(sums, s => Assert.Equal(1f, s, 1e-5f));
        var expected = Reference(x.ToArray().AsSpan(0, 1001).ToArray(), 10);
        Expect.Close(expected, y.ToArray().AsSpan(0, 1001), rtol: 1e-5, atol: 1e-9, what: "long row");
    }

    [Fact]
    public void Flatten_and_linear_build_a_lenet_head()
    {
        Rng.ManualSeed(0);
        var head = new Sequential(new Nn.Flatten(), new Linear(16 * 5 * 5, 120), new Nn.Sigmoid(), new Linear(120, 84), new Nn.Sigmoid(), new Linear(84, 10));
        var x = new TestData(6).Normal(8, 16, 5, 5);
        var logits = head.Forward(x);
        Assert.Equal([8, 10], logits.Shape);
        var loss = new CrossEntropyLoss().Forward(logits, [1, 2, 3, 4, 5, 6, 7, 8]);
        loss.Backward();
        Assert.All(head.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void Linear_on_a_large_batch_matches_a_double_precision_product()
    {
        // Big enough for Sgemm's blocking and threads, odd sizes for its edge tiles.
        var data = new TestData(8);
        var (n, inF, outF) = (257, 403, 121);
        var x = data.Normal(n, inF);
        var w = data.Normal(outF, inF);
        var b = data.Normal(outF);
        var y = F.Linear(x, w, b).ToArray();
        var (xs, ws, bs) = (x.ToArray(), w.ToArray(), b.ToArray());
        var expected = new float[n * outF];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < outF; j++)
            {
                var sum = (double)bs[j];
                for (var k = 0; k < inF; k++)
                {
                    sum += (double)xs[(i * inF) + k] * ws[(j * inF) + k];
                }

                expected[(i * outF) + j] = (float)sum;
            }
        }

        Expect.Close(expected, y, rtol: 1e-4, atol: 1e-4, what: "linear 257x403x121");
    }

    [Fact]
    public void Vectorised_activations_agree_with_the_scalar_formulas_to_within_an_ulp()
    {
        var data = new TestData(9);
        var x = Tensor.Cat([data.Uniform(-20f, 20f, 10_000), data.Uniform(-0.1f, 0.1f, 1000), data.Uniform(-1e-6f, 1e-6f, 100),
            Tensor.From([0f, -0f, 88f, -88f, 100f, -100f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-30f, -1e-30f])]);
        var values = x.ToArray();
        var sigmoid = x.Sigmoid().ToArray();
        var tanh = x.Tanh().ToArray();
        var relu = x.Relu().ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            AssertUlps(1 / (1 + Math.Exp(-v)), sigmoid[i], 1, $"sigmoid({v})");
            AssertUlps(Math.Tanh(v), tanh[i], 1, $"tanh({v})");
            Assert.Equal(v < 0 ? 0f : v, relu[i]);
        }

        // Gradients: the scalar formula exactly, element by element.
        var g = data.Normal(values.Length);
        foreach (var (f, grad) in new (Func<Tensor, Tensor>, Func<float, float, float>)[]
        {
            (t => t.Sigmoid(), (y, u) => u * y * (1f - y)),
            (t => t.Tanh(), (y, u) => u * (1f - (y * y))),
            (t => t.Relu(), (y, u) => y > 0f ? u : 0f),
        })
        {
            var leaf = Tensor.FromArray(values, values.Length);
            leaf.RequiresGrad = true;
            var y = f(leaf);
            y.Backward(g);
            var (ys, us, dx) = (y.ToArray(), g.ToArray(), leaf.Grad!.ToArray());
            for (var i = 0; i < ys.Length; i++)
            {
                Assert.Equal(grad(ys[i], us[i]), dx[i]);
            }
        }
    }

    [Fact]
    public void Bad_dims_are_errors_that_name_the_range()
    {
        var x = Tensor.Ones(2, 3);
        Assert.Contains("[-2, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => F.Softmax(x, 2)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.LogSoftmax(x, -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Max(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.ArgMax(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Cat([x, x], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Stack([x, x], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Flatten(0, 4));
        Assert.Contains("start_dim", Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3, 4).Flatten(2, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("non-zero size", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 0).Max(1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mismatched_shapes_are_errors_that_name_them()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Ones(2, 3), Tensor.Ones(3, 3)], 1));
        Assert.Contains("Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("same number of dimensions", Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Ones(2, 3), Tensor.Ones(3)])).Message, StringComparison.Ordinal);
        Assert.Contains("non-empty", Assert.Throws<ArgumentException>(() => Tensor.Cat([])).Message, StringComparison.Ordinal);
        Assert.Contains("zero-dimensional", Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Scalar(1f)])).Message, StringComparison.Ordinal);
        var s = Assert.Throws<ArgumentException>(() => Tensor.Stack([Tensor.Ones(2, 3), Tensor.Ones(2, 4)]));
        Assert.Contains("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1", s.Message, StringComparison.Ordinal);
        Assert.Contains("in_features = 4", Assert.Throws<ArgumentException>(() => F.Linear(Tensor.Ones(2, 3), Tensor.Ones(5, 4))).Message, StringComparison.Ordinal);
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() => F.Linear(Tensor.Ones(2, 4), Tensor.Ones(5, 4), Tensor.Ones(4))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Linear(3, 2).Forward(Tensor.Ones(2, 4)));
    }

    [Fact]
    public void Cat_skips_1d_empty_tensors_as_pytorch()
    {
        var a = Tensor.Ones(2, 3);
        Assert.Equal([2, 3], Tensor.Cat([Tensor.Zeros(0), a]).Shape);
    }

    [Fact]
    public void Bad_targets_are_errors_that_name_the_index_and_the_class_count()
    {
        var logits = Tensor.Ones(3, 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropyLoss(logits, [0, 4, 1]));
        Assert.Contains("Target 4 is out of bounds", e.Message, StringComparison.Ordinal);
        Assert.Contains("target[1]", e.Message, StringComparison.Ordinal);
        Assert.Contains("C = 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("Target -1", Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropyLoss(logits, Tensor.From([0f, -1f, 2f]))).Message, StringComparison.Ordinal);
        Assert.Contains("whole numbers", Assert.Throws<ArgumentException>(() => F.CrossEntropyLoss(logits, Tensor.From([0f, 1.5f, 2f]))).Message, StringComparison.Ordinal);
        Assert.Contains("expected 3 targets", Assert.Throws<ArgumentException>(() => F.CrossEntropyLoss(logits, [0, 1])).Message, StringComparison.Ordinal);
        Assert.Contains("shape [3]", Assert.Throws<ArgumentException>(() => F.CrossEntropyLoss(logits, Tensor.Zeros(3, 4))).Message, StringComparison.Ordinal);
        Assert.Contains("(N, C)", Assert.Throws<ArgumentException>(() => F.CrossEntropyLoss(Tensor.Ones(2, 3, 4), [0, 1])).Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => new CrossEntropyLoss().Forward(logits));
    }

    private static void AssertUlps(double expected, float actual, int ulps, string what)
    {
        var e = (float)expected;
        if (float.IsNaN(e))
        {
            Assert.True(float.IsNaN(actual), what);
            return;
        }

        var distance = Math.Abs((long)BitConverter.SingleToInt32Bits(e) - BitConverter.SingleToInt32Bits(actual));
        Assert.True(distance <= ulps || (e == 0f && actual == 0f), $"{what}: {actual}, expected {e} ({distance} ulps apart)");
    }

    private static float[] Reference(float[] x, float scale)
    {
        var max = x.Max() * scale;
        var sum = x.Sum(v => Math.Exp((v * scale) - max));
        return [.. x.Select(v => (float)(Math.Exp((v * scale) - max) / sum))];
    }

    [Fact]
    public void Large_activations_split_over_threads_give_the_same_bits_as_one_thread()
    {
        Rng.ManualSeed(4);
        var x = Tensor.Randn(3, 70_001) * 4f; // 210,003 elements: several chunks and a ragged last one
        var upstream = Tensor.Randn(3, 70_001);
        float[][] Run(int threads)
        {
            using var scope = ConvSharp.Compute.ConvPlanOptions.Use(new ConvSharp.Compute.ConvPlanOptions { MaxDegreeOfParallelism = threads });
            var leaf = x.Detach();
            leaf.RequiresGrad = true;
            var outputs = new[] { leaf.Sigmoid(), leaf.Tanh(), leaf.Relu() };
            (outputs[0] + outputs[1] + outputs[2]).Backward(upstream);
            return [.. outputs.Select(o => o.ToArray()), leaf.Grad!.ToArray()];
        }

        var (one, two) = (Run(1), Run(2));
        for (var i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
        }
    }
}
