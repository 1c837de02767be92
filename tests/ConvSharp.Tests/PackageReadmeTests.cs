using System.Globalization;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>
/// The ConvSharp package's readme (src/ConvSharp/README.md) shows <see cref="CoreExample"/>,
/// verbatim, and it prints what the readme says. Console output is redirected, so these run in
/// the collection that owns the process-wide state.
/// </summary>
[Collection(GlobalGeneratorTests.Name)]
public class PackageReadmeTests
{
    [Fact]
    public void The_core_package_readme_example_is_this_code()
    {
        var readme = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "src", "ConvSharp", "README.md"));
        var start = readme.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var body = block[block.IndexOf("var X", StringComparison.Ordinal)..];

        var source = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "tests", "ConvSharp.Tests", "PackageReadmeTests.cs"));
        var begin = source.LastIndexOf("// package README begin", StringComparison.Ordinal);
        var end = source.LastIndexOf("// package README end", StringComparison.Ordinal);
        var code = string.Join("\n", source[begin..end].Split('\n').Skip(1).Select(l => l.Length >= 8 ? l[8..] : l.Trim()));
        Assert.Equal(Normalise(body), Normalise(code));
    }

    [Fact]
    public void The_core_package_readme_example_prints_the_edges()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            CoreExample();
        }
        finally
        {
            Console.SetOut(previous);
        }

        Assert.Equal("tensor([ 0.,  1.,  0.,  0.,  0., -1.,  0.])", output.ToString().Trim());
    }

    private static string Normalise(string text) => text.Replace("\r", "", StringComparison.Ordinal).Trim();

    private static void CoreExample()
    {
        // package README begin
        var X = Tensor.Ones(6, 8);
        X[.., 2..6] = 0;                                        // a black stripe on white
        var Y = F.Corr2d(X, Tensor.From(new float[,] { { 1, -1 } }));
        Console.WriteLine(Y[0]);                                // tensor([ 0.,  1.,  0.,  0.,  0., -1.,  0.])
        // package README end
    }
}
