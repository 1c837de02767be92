using ConvSharp.Nn;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Layers;

/// <summary>BatchNorm2d against PyTorch (Fixtures/state, tools/fixtures/make_state_fixtures.py) and finite differences.</summary>
public class BatchNormTests
{
    private static BatchNorm2d FixtureLayer(double? momentum = 0.1)
    {
        var bn = new BatchNorm2d(3, momentum: momentum);
        using var noGrad = Tensor.NoGrad();
        bn.Weight!.CopyFrom(StateFixtures.Get("bn.weight"));
        bn.Bias!.CopyFrom(StateFixtures.Get("bn.bias"));
        return bn;
    }

    [Fact]
    [Trait("Category", "Parity")]
    public void Training_output_gradients_and_running_statistics_match_PyTorch()
    {
        var bn = FixtureLayer();
        var x = StateFixtures.Get("bn.x", requiresGrad: true);
        var output = bn.Forward(x);
        (output * StateFixtures.Get("bn.upstream")).Sum().Backward();

        Expect.Close(StateFixtures.Get("bn.train_out"), output, what: "output");
        Expect.Close(StateFixtures.Get("bn.grad_x"), x.Grad, what: "grad x");
        Expect.Close(StateFixtures.Get("bn.grad_weight"), bn.Weight!.Grad, what: "grad weight");
        Expect.Close(StateFixtures.Get("bn.grad_bias"), bn.Bias!.Grad, what: "grad bias");
        Expect.Close(StateFixtures.Get("bn.running_mean"), bn.RunningMean, what: "running mean");
        Expect.Close(StateFixtures.Get("bn.running_var"), bn.RunningVar, what: "running var (unbiased)");
        Assert.Equal(1f, bn.NumBatchesTracked!.Item());
        Assert.Equal("NativeBatchNormBackward0", output.GradFn!.Name);
    }

    [Fact]
    [Trait("Category", "Parity")]
    public void Evaluation_mode_uses_the_running_statistics_and_leaves_them_alone()
    {
        var bn = FixtureLayer();
        bn.Forward(StateFixtures.Get("bn.x"));
        bn.Eval();
        var (mean, variance) = (bn.RunningMean!.Clone(), bn.RunningVar!.Clone());
        var x = StateFixtures.Get("bn.x2", requiresGrad: true);
        var output = bn.Forward(x);
        (output * StateFixtures.Get("bn.upstream")).Sum().Backward();

        Expect.Close(StateFixtures.Get("bn.eval_out"), output, what: "eval output");
        Expect.Close(StateFixtures.Get("bn.eval_grad_x"), x.Grad, what: "eval grad x");
        Assert.True(Tensor.Equal(mean, bn.RunningMean!) && Tensor.Equal(variance, bn.RunningVar!), "eval changed the running statistics");
        Assert.Equal(1f, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    [Trait("Category", "Parity")]
    public void Momentum_null_keeps_a_cumulative_average()
    {
        var bn = new BatchNorm2d(3, momentum: null);
        bn.Forward(StateFixtures.Get("bn.x"));
        bn.Forward(StateFixtures.Get("bn.x2"));
        Expect.Close(StateFixtures.Get("bncum.running_mean"), bn.RunningMean, what: "running mean");
        Expect.Close(StateFixtures.Get("bncum.running_var"), bn.RunningVar, what: "running var");
        Assert.Equal(2f, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    [Trait("Category", "Parity")]
    public void A_model_loaded_from_PyTorch_computes_what_PyTorch_computes_in_both_modes()
    {
        var model = StateFixtures.Model();
        model.Load(StateFixtures.File("model.safetensors"));
        model.Eval();
        Expect.Close(StateFixtures.Get("eval_out"), model.Forward(StateFixtures.Get("x")), what: "eval output");

        model.Train();
        var x = StateFixtures.Get("x", requiresGrad: true);
        var output = model.Forward(x);
        (output * StateFixtures.Get("upstream")).Sum().Backward();
        Expect.Close(StateFixtures.Get("train_out"), output, what: "train output");
        Expect.Close(StateFixtures.Get("grad.x"), x.Grad, what: "grad x");
        foreach (var (name, parameter) in model.NamedParameters())
        {
            Expect.Close(StateFixtures.Get("grad." + name), parameter.Grad, what: "grad " + name);
        }

        foreach (var (name, tensor) in model.StateDict())
        {
            Expect.Close(StateFixtures.Get("after." + name), tensor, what: "after training forward: " + name);
        }
    }

    [Theory]
    [Trait("Category", "GradCheck")]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Gradients_match_finite_differences(bool training, bool affine)
    {
        var data = new TestData(training ? 11 : 12);
        var x = data.Normal(3, 2, 3, 4);
        var mean = Tensor.From([0.3f, -0.2f]);
        var variance = Tensor.From([1.5f, 0.7f]);
        Tensor[] inputs = affine ? [x, data.Uniform(0.5f, 1.5f, 2), data.Normal(2)] : [x];
        GradCheck.Check(
            t => F.BatchNorm(
                t[0], training ? null : mean, training ? null : variance, affine ? t[1] : null, affine ? t[2] : null, training),
            inputs, eps: 1e-2, what: $"batch_norm training={training} affine={affine}");
    }

    [Fact]
    public void Prints_as_PyTorch()
    {
        Assert.Equal("BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", new BatchNorm2d(6).ToString());
        Assert.Equal(
            "BatchNorm2d(2, eps=0.001, momentum=None, affine=False, track_running_stats=False)",
            new BatchNorm2d(2, eps: 1e-3, momentum: null, affine: false, trackRunningStats: false).ToString());
    }

    [Fact]
    public void Registers_parameters_and_buffers_as_PyTorch()
    {
        var bn = new BatchNorm2d(4);
        Assert.Equal(["weight", "bias"], bn.NamedParameters().Select(p => p.Name));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], bn.NamedBuffers().Select(b => b.Name));
        Expect.Values([1, 1, 1, 1], bn.Weight!);
        Expect.Values([0, 0, 0, 0], bn.Bias!);
        Expect.Values([0, 0, 0, 0], bn.RunningMean!);
        Expect.Values([1, 1, 1, 1], bn.RunningVar!);
        Assert.Empty(bn.NumBatchesTracked!.Shape);

        var bare = new BatchNorm2d(4, affine: false, trackRunningStats: false);
        Assert.Empty(bare.NamedParameters());
        Assert.Empty(bare.NamedBuffers());
    }

    [Fact]
    public void Without_running_statistics_evaluation_uses_the_batch()
    {
        var x = new TestData(3).Normal(2, 2, 3, 3);
        var bn = new BatchNorm2d(2, affine: false, trackRunningStats: false);
        var training = bn.Forward(x);
        bn.Eval();
        Assert.True(Tensor.Equal(training, bn.Forward(x)));
        var perChannel = training.Permute(1, 0, 2, 3).Reshape(2, -1);
        Expect.Close(Tensor.Zeros(2), perChannel.Mean(1), atol: 1e-5, what: "mean");
    }

    [Fact]
    public void Refuses_inputs_PyTorch_refuses()
    {
        var bn = new BatchNorm2d(2);
        Assert.Contains("expected 4D input (got 3D input)", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(2, 3, 3))).Message);
        Assert.Contains("dimension 1 must be 2", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 3, 2, 2))).Message);
        Assert.Contains(
            "Expected more than 1 value per channel when training",
            Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 2, 1, 1))).Message);
        Assert.Equal(0f, bn.NumBatchesTracked!.Item()); // a refused batch is not counted (PyTorch counts it, then throws)
        bn.Eval();
        Assert.Equal([1, 2, 1, 1], bn.Forward(Tensor.Zeros(1, 2, 1, 1)).Shape); // one value per channel is fine in eval
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(2, momentum: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(2, eps: 0));
    }
}
