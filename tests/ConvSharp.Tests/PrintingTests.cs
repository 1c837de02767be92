using ConvSharp.Nn;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>Printing against <c>str(tensor)</c> and <c>str(module)</c> from PyTorch.</summary>
public class PrintingTests
{
    /// <summary>The same operations the fixture script applied before printing, to get the same grad_fn.</summary>
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Ops = new()
    {
        ["mul_scalar"] = x => x * 2.5f,
        ["add_scalar"] = x => x + 1,
        ["sub_scalar"] = x => x - 1,
        ["rsub_scalar"] = x => 2 - x,
        ["div_scalar"] = x => x / 4,
        ["mul_self"] = x => x * x,
        ["add_self"] = x => x + x,
        ["sum"] = x => x.Sum(),
        ["mean"] = x => x.Mean(),
        ["square"] = x => x.Square(),
        ["pow3"] = x => x.Pow(3),
        ["exp"] = x => x.Exp(),
        ["neg"] = x => -x,
        ["relu"] = x => x.Relu(),
        ["squeeze"] = x => x.Squeeze(),
        ["reshape"] = x => x.Reshape(3, 2),
        ["t"] = x => x.T,
        ["slice_cols"] = x => x[.., 1..3],
        ["select_row"] = x => x[1],
        ["conv_ones"] = x => F.Conv2d(x, Tensor.Ones(1, 1, 2, 2)),
    };

    /// <summary>
    /// PyTorch 1.13 calls the node of a contiguous reshape ReshapeAliasBackward0; PyTorch 2 and
    /// ConvSharp call it ViewBackward0. The only name that differs from the fixture's PyTorch.
    /// </summary>
    private static string Modernise(string expected) =>
        expected.Replace("ReshapeAliasBackward0", "ViewBackward0", StringComparison.Ordinal);

    public static TheoryData<int> PrintingCases() => [.. Enumerable.Range(0, Fixtures.Cases("printing").Count())];

    [Theory]
    [MemberData(nameof(PrintingCases))]
    public void Tensors_print_exactly_as_pytorch_prints_them(int index)
    {
        var c = Fixtures.Cases("printing").ElementAt(index);
        var x = c.GetProperty("input").ToTensor();
        x.RequiresGrad = c.GetProperty("requires_grad").GetBoolean();
        var op = c.GetProperty("op").GetString();
        var printed = op is null ? x : Ops[op](x);
        Assert.Equal(Modernise(c.GetProperty("expected").GetString()!), printed.ToString());
    }

    [Fact]
    public void Modules_print_as_pytorch_prints_them()
    {
        var expected = Fixtures.Cases("modules").Select(m => m.GetString()).ToArray();
        Module[] modules =
        [
            new Conv2d(1, 1, kernelSize: (1, 2), bias: false),
            new Conv2d(3, 8, 3, stride: 2, padding: 1),
            new Conv2d(4, 4, (3, 5), padding: (1, 2), dilation: 2, groups: 4),
            new Conv2d(2, 2, 3, padding: 1, paddingMode: PaddingMode.Reflect),
            new Sequential(new Conv2d(1, 6, 5, padding: 2), new ReLU(), new Conv2d(6, 16, 5)),
            new Conv2d(1, 1, 3, padding: Padding.Same),
            new Conv2d(1, 1, 3, padding: Padding.Valid),
            new ConvTranspose2d(3, 8, 3, stride: 2, padding: 1, outputPadding: 1),
            new ConvTranspose2d(4, 8, (3, 2), groups: 2, dilation: 2, bias: false),
        ];
        Assert.Equal(expected, modules.Select(m => m.ToString()));
    }

    [Fact]
    public void Parameters_print_with_their_header()
    {
        var p = new Parameter(Tensor.From(new float[,] { { 0.9519f, -1.0193f } }));
        Assert.Equal("Parameter containing:\ntensor([[ 0.9519, -1.0193]], requires_grad=True)", p.ToString());
    }

    [Fact]
    public void The_learned_weight_prints_as_in_the_book()
    {
        // The book's own cell output, independent of the fixture.
        Assert.Equal("tensor([[ 0.9519, -1.0193]])", Tensor.From(new float[,] { { 0.9519f, -1.0193f } }).ToString());
        Assert.Equal("tensor([[19., 25.],\n        [37., 43.]])", Tensor.From(new float[,] { { 19, 25 }, { 37, 43 } }).ToString());
    }
}
