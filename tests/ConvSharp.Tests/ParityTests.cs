using System.Text.Json;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>
/// Every convolution op against PyTorch on several hundred random cases: outputs and the
/// gradients of every input, within rtol 1e-4, atol 1e-5.
/// </summary>
[Trait("Category", "Parity")]
public class ParityTests
{
    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        var cases = ParityFixtures.Cases;
        for (var i = 0; i < cases.Length; i++)
        {
            data.Add(i, $"{cases[i].GetProperty("op").GetString()} {cases[i].GetProperty("args")}");
        }

        return data;
    }

    [Fact]
    public void There_are_at_least_300_cases_over_every_op()
    {
        var ops = ParityFixtures.Cases.GroupBy(c => c.GetProperty("op").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.True(ParityFixtures.Cases.Length >= 300);
        Assert.Equal(["conv2d", "conv_transpose2d", "convolve2d", "fold", "pad", "unfold"], ops.Keys.Order());
        var modes = ParityFixtures.Cases.Where(c => c.GetProperty("op").GetString() == "conv2d")
            .Select(c => c.GetProperty("args").GetProperty("padding_mode").GetString()).Distinct().Order();
        Assert.Equal(["circular", "reflect", "replicate", "symmetric", "zeros"], modes);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Op_matches_pytorch(int index, string description)
    {
        var c = ParityFixtures.Cases[index];
        var args = c.GetProperty("args");
        var input = ParityFixtures.Get(c, "input", requiresGrad: true)!;
        var weight = ParityFixtures.Get(c, "weight", requiresGrad: true);
        var bias = ParityFixtures.Get(c, "bias", requiresGrad: true);
        var output = c.GetProperty("op").GetString() switch
        {
            "conv2d" => F.Conv2d(
                input, weight!, bias, args.GetProperty("stride").ToSize2(), args.GetProperty("padding").ToPadding(),
                args.GetProperty("dilation").ToSize2(), args.GetProperty("groups").GetInt32(),
                Enum.Parse<PaddingMode>(args.GetProperty("padding_mode").GetString()!, ignoreCase: true)),
            "convolve2d" => F.Convolve2d(input, weight!, padding: args.GetProperty("padding").GetInt32()),
            "conv_transpose2d" => F.ConvTranspose2d(
                input, weight!, bias, args.GetProperty("stride").ToSize2(), args.GetProperty("padding").ToSize2(),
                args.GetProperty("output_padding").ToSize2(), args.GetProperty("groups").GetInt32(), args.GetProperty("dilation").ToSize2()),
            "unfold" => F.Unfold(
                input, args.GetProperty("kernel").ToSize2(), args.GetProperty("dilation").ToSize2(),
                args.GetProperty("padding").ToSize2(), args.GetProperty("stride").ToSize2()),
            "fold" => F.Fold(
                input, args.GetProperty("output_size").ToSize2(), args.GetProperty("kernel").ToSize2(),
                args.GetProperty("dilation").ToSize2(), args.GetProperty("padding").ToSize2(), args.GetProperty("stride").ToSize2()),
            _ => Pad(input, args),
        };

        Expect.Close(ParityFixtures.Get(c, "output")!, output, what: $"{description}: output");
        output.Backward(ParityFixtures.Get(c, "upstream"));
        Expect.Close(ParityFixtures.Get(c, "grad_input")!, input.Grad, what: $"{description}: grad input");
        if (weight is not null)
        {
            Expect.Close(ParityFixtures.Get(c, "grad_weight")!, weight.Grad, what: $"{description}: grad weight");
        }

        if (bias is not null)
        {
            Expect.Close(ParityFixtures.Get(c, "grad_bias")!, bias.Grad, what: $"{description}: grad bias");
        }
    }

    private static Tensor Pad(Tensor input, JsonElement args)
    {
        var p = args.GetProperty("pad").ToInts();
        var pad = (p[0], p[1], p[2], p[3]);
        return args.GetProperty("mode").GetString() switch
        {
            "constant" => F.Pad(input, pad, args.GetProperty("value").GetSingle()),
            var mode => F.Pad(input, pad, Enum.Parse<PaddingMode>(mode!, ignoreCase: true)),
        };
    }
}
