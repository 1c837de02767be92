using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests.Layers;

/// <summary>Softmax, log-softmax, cross-entropy, Linear, max, cat and stack gradients against central finite differences.</summary>
[Trait("Category", "GradCheck")]
public class LayerGradCheckTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Softmax_gradient(int dim)
    {
        var data = new TestData(100 + dim);
        GradCheck.Check(t => F.Softmax(t[0], dim), [data.Normal(3, 4, 5)], what: $"softmax dim {dim}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Log_softmax_gradient(int dim)
    {
        var data = new TestData(200 + dim);
        GradCheck.Check(t => F.LogSoftmax(t[0], dim), [data.Normal(4, 6)], what: $"log_softmax dim {dim}");
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Cross_entropy_gradient(Reduction reduction)
    {
        var data = new TestData(300 + (int)reduction);
        int[] target = [2, 0, 4, 4, 1, 3];
        GradCheck.Check(t => F.CrossEntropyLoss(t[0], target, reduction), [data.Normal(6, 5)], what: $"cross entropy {reduction}");
    }

    [Fact]
    public void Cross_entropy_of_one_sample_gradient()
    {
        var data = new TestData(310);
        GradCheck.Check(t => F.CrossEntropyLoss(t[0], Tensor.Scalar(2f)), [data.Normal(4)], what: "cross entropy (C)");
    }

    [Fact]
    public void Linear_gradients_for_input_weight_and_bias()
    {
        var data = new TestData(400);
        GradCheck.Check(t => F.Linear(t[0], t[1], t[2]), [data.Normal(3, 5), data.Normal(4, 5), data.Normal(4)], what: "linear 2-D");
        GradCheck.Check(t => F.Linear(t[0], t[1], t[2]), [data.Normal(2, 3, 5), data.Normal(2, 5), data.Normal(2)], what: "linear 3-D");
        GradCheck.Check(t => F.Linear(t[0], t[1]), [data.Normal(5), data.Normal(3, 5)], what: "linear 1-D, no bias");
    }

    [Fact]
    public void Cat_and_stack_gradients()
    {
        var data = new TestData(500);
        GradCheck.Check(t => Tensor.Cat([t[0], t[1]], 1), [data.Normal(2, 3), data.Normal(2, 2)], what: "cat");
        GradCheck.Check(t => Tensor.Stack([t[0], t[1]], 2), [data.Normal(2, 3), data.Normal(2, 3)], what: "stack");
    }

    [Fact]
    public void Max_values_gradient()
    {
        var data = new TestData(600);
        GradCheck.Check(t => t[0].Max(1).Values, [data.Normal(3, 5)], what: "max");
    }
}
