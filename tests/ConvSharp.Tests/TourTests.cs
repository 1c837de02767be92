using System.Globalization;
using System.Text.RegularExpressions;
using ConvSharp.Cli.Tour;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests;

/// <summary>The tour prints the book's tensors; its learning loop is PyTorch's, number for number.</summary>
[Collection(GlobalGeneratorTests.Name)]
public partial class TourTests
{
    private static readonly Lazy<string> Output = new(() =>
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        ChapterTour.Run(writer);
        return writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    });

    public static TheoryData<string> BookOutputs() =>
    [
        // The book's printed cell outputs, copied from the seed text.
        "tensor([[19., 25.],\n        [37., 43.]])",
        """
        tensor([[1., 1., 0., 0., 0., 0., 1., 1.],
                [1., 1., 0., 0., 0., 0., 1., 1.],
                [1., 1., 0., 0., 0., 0., 1., 1.],
                [1., 1., 0., 0., 0., 0., 1., 1.],
                [1., 1., 0., 0., 0., 0., 1., 1.],
                [1., 1., 0., 0., 0., 0., 1., 1.]])
        """,
        """
        tensor([[ 0.,  1.,  0.,  0.,  0., -1.,  0.],
                [ 0.,  1.,  0.,  0.,  0., -1.,  0.],
                [ 0.,  1.,  0.,  0.,  0., -1.,  0.],
                [ 0.,  1.,  0.,  0.,  0., -1.,  0.],
                [ 0.,  1.,  0.,  0.,  0., -1.,  0.],
                [ 0.,  1.,  0.,  0.,  0., -1.,  0.]])
        """,
        """
        tensor([[0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0.],
                [0., 0., 0., 0., 0.]])
        """,
        """
        tensor([[ 0.,  3.,  3.,  0.],
                [ 0.,  1.,  1.,  0.],
                [ 0., -1., -1.,  0.],
                [ 0., -3., -3.,  0.]], grad_fn=<SqueezeBackward0>)
        """,
        """
        tensor([[[[-4., -4.],
                  [-4., -4.]]]])
        """,
        "tensor([1., 2., 5., 6.])",
        """
        tensor([[-2., -1., -2.,  1.,  0.,  0.],
                [-1.,  0., -1.,  1.,  0.,  0.],
                [-2., -1., -2.,  2.,  1.,  1.],
                [ 1.,  1.,  2., -2., -1., -2.],
                [ 0.,  0.,  1., -1.,  0., -1.],
                [ 0.,  0.,  1., -2., -1., -2.]])
        """,
        """
        tensor([[0.4444, 0.6667, 0.4444, 0.2222, 0.0000, 0.0000],
                [0.6667, 1.0000, 0.6667, 0.3333, 0.0000, 0.0000],
                [0.4444, 0.6667, 0.5556, 0.4444, 0.3333, 0.2222],
                [0.2222, 0.3333, 0.4444, 0.5556, 0.6667, 0.4444],
                [0.0000, 0.0000, 0.3333, 0.6667, 1.0000, 0.6667],
                [0.0000, 0.0000, 0.2222, 0.4444, 0.6667, 0.4444]])
        """,
    ];

    [Theory]
    [MemberData(nameof(BookOutputs))]
    public void The_tour_prints_the_books_outputs(string expected)
    {
        Assert.Contains(expected, Output.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void The_learning_loop_prints_what_pytorch_prints_after_the_same_seed()
    {
        var learning = Fixtures.Foundation.GetProperty("learning");
        Assert.Equal(ChapterTour.Seed, (ulong)learning.GetProperty("seed").GetInt32());
        var lines = learning.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToArray();
        Assert.Contains(string.Join("\n", lines), Output.Value, StringComparison.Ordinal);
        Assert.Contains(learning.GetProperty("weight_str").GetString()!, Output.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void The_learning_loop_converges_to_the_edge_kernel()
    {
        var losses = LossLine().Matches(Output.Value).Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(5, losses.Length);
        Assert.True(losses[^1] < 0.5, $"final loss {losses[^1]}");
        Assert.True(losses.Zip(losses.Skip(1)).All(p => p.Second < p.First), "the loss decreases every two epochs");

        var learned = LearnedKernel().Match(Output.Value);
        Assert.True(learned.Success);
        Assert.InRange(double.Parse(learned.Groups[1].Value, CultureInfo.InvariantCulture), 0.9, 1.1);
        Assert.InRange(double.Parse(learned.Groups[2].Value, CultureInfo.InvariantCulture), -1.1, -0.9);
    }

    [Fact]
    public void The_exercises_are_answered()
    {
        var text = Output.Value;
        // Exercise 1.3 done right: K transposed gives the transposed output.
        Assert.Contains("[ 3.,  1., -1., -3.]", text, StringComparison.Ordinal);
        // Exercise 2: a clear shape error, and the scalar rule for backward.
        Assert.Contains("corr2d expects a 2-D input X (height, width), but got a 3-D tensor of shape [1, 5, 5]", text, StringComparison.Ordinal);
        Assert.Contains("grad can be implicitly created only for scalar outputs", text, StringComparison.Ordinal);
        // Exercise 4.3: the minimal derivative kernels.
        Assert.Contains("d = 4: 5 taps tensor([[ 1., -4.,  6., -4.,  1.]])", text, StringComparison.Ordinal);
        Assert.Contains("on x^4: tensor([[24., 24., 24., 24.]])", text, StringComparison.Ordinal);
        // The cross-correlation and convolution section: the flipped kernel is learned.
        Assert.Contains("tensor([[-0.9999,  0.9999]])", text, StringComparison.Ordinal);
        Assert.Contains("> A.Squeeze().Shape\n[3, 2]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("False", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tour_is_deterministic()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        ChapterTour.Run(writer);
        Assert.Equal(Output.Value, writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"epoch (\d+), loss (\d+\.\d{3})")]
    private static partial Regex LossLine();

    [GeneratedRegex(@"Weight\.Data\.Reshape\(1, 2\)\ntensor\(\[\[ ?(-?\d\.\d{4}), ?(-?\d\.\d{4})\]\]\)")]
    private static partial Regex LearnedKernel();
}
