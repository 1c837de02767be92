using System.Text.Json;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>Every op's output and input gradients against PyTorch on the same inputs.</summary>
public class OpsTests
{
    /// <summary>The ops of the fixture script, written with ConvSharp.</summary>
    internal static readonly Dictionary<string, Func<Tensor[], Tensor>> Ops = new()
    {
        ["add"] = x => x[0] + x[1],
        ["sub"] = x => x[0] - x[1],
        ["mul"] = x => x[0] * x[1],
        ["div"] = x => x[0] / x[1],
        ["add_scalar"] = x => x[0] + 1.5f,
        ["sub_scalar"] = x => x[0] - 1.5f,
        ["rsub_scalar"] = x => 2f - x[0],
        ["mul_scalar"] = x => x[0] * 2.5f,
        ["div_scalar"] = x => x[0] / 4f,
        ["rdiv_scalar"] = x => 3f / x[0],
        ["neg"] = x => -x[0],
        ["pow3"] = x => x[0].Pow(3),
        ["pow_half"] = x => x[0].Pow(0.5f),
        ["square"] = x => x[0].Square(),
        ["exp"] = x => x[0].Exp(),
        ["log"] = x => x[0].Log(),
        ["sqrt"] = x => x[0].Sqrt(),
        ["abs"] = x => x[0].Abs(),
        ["relu"] = x => x[0].Relu(),
        ["sigmoid"] = x => x[0].Sigmoid(),
        ["tanh"] = x => x[0].Tanh(),
        ["sum"] = x => x[0].Sum(),
        ["sum_dim1"] = x => x[0].Sum(1),
        ["sum_dims02_keep"] = x => x[0].Sum([0, 2], keepDim: true),
        ["mean"] = x => x[0].Mean(),
        ["mean_last_keep"] = x => x[0].Mean(-1, keepDim: true),
        ["matmul_2d"] = x => x[0].MatMul(x[1]),
        ["matmul_batched"] = x => x[0].MatMul(x[1]),
        ["matmul_1d_2d"] = x => x[0].MatMul(x[1]),
        ["matmul_2d_1d"] = x => x[0].MatMul(x[1]),
        ["matmul_1d_1d"] = x => x[0].MatMul(x[1]),
        ["matmul_3d_1d"] = x => x[0].MatMul(x[1]),
        ["transpose"] = x => x[0].Transpose(0, 2),
        ["permute"] = x => x[0].Permute(2, 0, 1),
        ["reshape"] = x => x[0].Reshape(4, -1),
        ["reshape_of_t"] = x => x[0].T.Reshape(-1),
        ["flip"] = x => x[0].Flip(0, 2),
        ["expand"] = x => x[0].Expand(2, 3, 4),
        ["squeeze_unsqueeze"] = x => x[0].Squeeze().Unsqueeze(0),
        ["index_slice"] = x => x[0][.., 1..3],
        ["index_select"] = x => x[0][1],
        ["index_mixed"] = x => x[0][-1, 1..],
        ["pad_zeros"] = x => F.Pad(x[0], (1, 2, 0, 1)),
        ["pad_reflect"] = x => F.Pad(x[0], (2, 1, 1, 2), PaddingMode.Reflect),
        ["pad_replicate"] = x => F.Pad(x[0], (2, 1, 1, 3), PaddingMode.Replicate),
        ["pad_circular"] = x => F.Pad(x[0], (2, 1, 1, 3), PaddingMode.Circular),
        ["mse_mean"] = x => F.MseLoss(x[0], x[1]),
        ["mse_sum"] = x => F.MseLoss(x[0], x[1], Reduction.Sum),
    };

    public static TheoryData<string> OpNames() => [.. Fixtures.Cases("ops").Select(c => c.GetProperty("op").GetString()!)];

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Output_and_gradients_match_pytorch(string name)
    {
        var c = Fixtures.Cases("ops").Single(c => c.GetProperty("op").GetString() == name);
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(Leaf).ToArray();
        var output = Ops[name](inputs);
        Expect.Close(c.GetProperty("output").ToTensor(), output, what: $"{name} output");
        output.Backward(c.GetProperty("upstream").ToTensor());
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            Expect.Close(grads[i].ToTensor(), inputs[i].Grad, what: $"{name} gradient of input {i}");
        }
    }

    [Fact]
    public void Every_fixture_op_is_covered()
    {
        var fixtureOps = Fixtures.Cases("ops").Select(c => c.GetProperty("op").GetString()!);
        Assert.Equal(fixtureOps.Order(), Ops.Keys.Order());
    }

    private static Tensor Leaf(JsonElement element)
    {
        var t = element.ToTensor();
        t.RequiresGrad = true;
        return t;
    }
}
