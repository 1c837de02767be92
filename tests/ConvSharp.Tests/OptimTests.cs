using ConvSharp.Nn;
using ConvSharp.Optim;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests;

public class OptimTests
{
    [Fact]
    public void Sgd_takes_a_plain_gradient_step()
    {
        var w = new Parameter(Tensor.From(new float[] { 1, -2 }));
        var sgd = new Sgd([w], lr: 0.1f);
        (w * w).Sum().Backward();
        sgd.Step();
        Expect.Close(Tensor.From(new float[] { 0.8f, -1.6f }), w);
        sgd.ZeroGrad();
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Sgd_momentum_and_weight_decay_follow_pytorchs_rule()
    {
        // Hand-computed from torch.optim.SGD's update with lr 0.1, momentum 0.9, weight decay 0.01,
        // loss = Σ w² (gradient 2w), starting at w = 1.
        var w = new Parameter(Tensor.From(new float[] { 1 }));
        var sgd = new Sgd([w], lr: 0.1f, momentum: 0.9f, weightDecay: 0.01f);
        double p = 1, buffer = 0;
        for (var step = 0; step < 3; step++)
        {
            sgd.ZeroGrad();
            (w * w).Sum().Backward();
            sgd.Step();
            var d = (2 * p) + (0.01 * p);
            buffer = step == 0 ? d : (0.9 * buffer) + d;
            p -= 0.1 * buffer;
            Assert.Equal(p, w.Item(), 1e-5);
        }
    }

    [Fact]
    public void Nesterov_needs_momentum()
    {
        var w = new Parameter(Tensor.Ones(1));
        Assert.Throws<ArgumentException>(() => new Sgd([w], lr: 0.1f, nesterov: true));
        var sgd = new Sgd([w], lr: 0.1f, momentum: 0.5f, nesterov: true);
        (w * 1f).Sum().Backward();
        sgd.Step();
        // d = 1, b = 1, nesterov d = 1 + 0.5 = 1.5: w = 1 − 0.15.
        Assert.Equal(0.85f, w.Item(), 1e-6f);
    }
}

/// <summary>Adam against torch.optim.Adam, step by step (Fixtures/optim.json, from tools/fixtures/make_optim_fixtures.py).</summary>
public class AdamTests
{
    private static readonly Lazy<System.Text.Json.JsonElement> Fixture = new(() =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim.json"))).RootElement);

    private static float[] Floats(System.Text.Json.JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetSingle())];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Adam_follows_pytorchs_trajectory(int index)
    {
        var root = Fixture.Value;
        var case_ = root.GetProperty("cases")[index];
        var s = case_.GetProperty("settings");
        var w = new Parameter(Tensor.FromArray(Floats(root.GetProperty("w0")), 5));
        var (c, t) = (Tensor.FromArray(Floats(root.GetProperty("c")), 5), Tensor.FromArray(Floats(root.GetProperty("t")), 5));
        var adam = new Adam(
            [w], lr: s.GetProperty("lr").GetSingle(), beta1: s.GetProperty("beta1").GetSingle(), beta2: s.GetProperty("beta2").GetSingle(),
            eps: s.GetProperty("eps").GetSingle(), weightDecay: s.GetProperty("weight_decay").GetSingle());
        var step = 0;
        foreach (var expected in case_.GetProperty("trajectory").EnumerateArray())
        {
            adam.ZeroGrad();
            var loss = (c * (w - t).Pow(2)).Sum() + (w.Pow(3).Sum() / 3f);
            loss.Backward();
            adam.Step();
            step++;
            Expect.Close(Tensor.FromArray(Floats(expected), 5), w, atol: 1e-5, what: $"step {step}");
        }
    }

    [Fact]
    public void Adam_checks_its_hyper_parameters()
    {
        var w = new Parameter(Tensor.Ones(1));
        Assert.Throws<ArgumentException>(() => new Adam([w], lr: -1f));
        Assert.Throws<ArgumentException>(() => new Adam([w], beta1: 1f));
        Assert.Throws<ArgumentException>(() => new Adam([w], eps: -1f));
    }
}
