using System.Globalization;
using ConvSharp.Nn;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>The README's example is this file's <see cref="ReadmeExample"/>, verbatim, and it prints what the README says.</summary>
[Collection(GlobalGeneratorTests.Name)]
public class ReadmeTests
{
    [Fact]
    public void The_readme_example_is_this_code()
    {
        var readme = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "README.md"));
        var start = readme.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var body = block[block.IndexOf("var X", StringComparison.Ordinal)..];

        var source = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "tests", "ConvSharp.Tests", "ReadmeTests.cs"));
        var begin = source.LastIndexOf("// README begin", StringComparison.Ordinal);
        var end = source.LastIndexOf("// README end", StringComparison.Ordinal);
        var code = string.Join("\n", source[begin..end].Split('\n').Skip(1).Select(l => l.Length >= 8 ? l[8..] : l.Trim()));
        Assert.Equal(Normalise(body), Normalise(code));
    }

    [Fact]
    public void The_readme_example_prints_the_learned_kernel()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            ReadmeExample();
        }
        finally
        {
            Console.SetOut(previous);
        }

        Assert.Equal("tensor([[ 1.0063, -0.9662]])", output.ToString().Trim());
    }

    private static string Normalise(string text) => text.Replace("\r", "", StringComparison.Ordinal).Trim();

    private static void ReadmeExample()
    {
        // README begin
        var X = Tensor.Ones(6, 8);
        X[.., 2..6] = 0;                                   // a black stripe on white
        var K = Tensor.From(new float[,] { { 1, -1 } });   // the chapter's edge detector
        var Y = F.Corr2d(X, K);                            // 1 and -1 where the edges are

        // Learn K back from X and Y alone.
        Rng.ManualSeed(0);
        var conv = new Conv2d(1, 1, kernelSize: (1, 2), bias: false);
        var sgd = new ConvSharp.Optim.Sgd(conv.Parameters(), lr: 3e-2f);
        for (var epoch = 0; epoch < 10; epoch++)
        {
            var loss = (conv.Forward(X.Reshape(1, 1, 6, 8)) - Y.Reshape(1, 1, 6, 7)).Pow(2).Sum();
            sgd.ZeroGrad();
            loss.Backward();
            sgd.Step();
        }

        Console.WriteLine(conv.Weight.Data.Reshape(1, 2)); // tensor([[ 1.0063, -0.9662]])
        // README end
    }
}
