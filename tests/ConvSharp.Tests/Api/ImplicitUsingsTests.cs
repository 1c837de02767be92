using ConvSharp;
using ConvSharp.Tests;

// Outside the ConvSharp namespace on purpose: a user's app sees ConvSharp only through the using.
namespace ImplicitUsingsCheck;

/// <summary>
/// A new console app has <c>System</c> among its implicit usings. Adding <c>using ConvSharp;</c>
/// must not make <c>Random</c> ambiguous (CS0104), so the global generator is <see cref="Rng"/>.
/// This file compiling is most of the test.
/// </summary>
[Collection(GlobalGeneratorTests.Name)]
public class ImplicitUsingsTests
{
    [Fact]
    public void System_Random_and_ConvSharp_types_sit_side_by_side()
    {
        var dotnetRandom = new Random(1);
        Rng.ManualSeed(1);
        var first = Tensor.Rand(3).ToArray();
        Rng.ManualSeed(1);
        Assert.Equal(first, Tensor.Rand(3).ToArray());
        Assert.InRange(dotnetRandom.Next(10), 0, 9);
    }
}
