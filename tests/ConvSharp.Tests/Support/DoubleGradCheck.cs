namespace ConvSharp.Tests.Support;

/// <summary>
/// Gradient checks in double precision on the generic kernels (the very loops the float32 ops
/// run): the vector–Jacobian product a kernel's backward computes must equal central finite
/// differences of its forward. In double, with these small, smooth (multi)linear ops, the two
/// agree to about 1e-10, so a wrong index or a missing term cannot hide in the tolerance.
/// </summary>
internal static class DoubleGradCheck
{
    /// <param name="forward">inputs → output</param>
    /// <param name="vectorJacobian">(inputs, upstream gradient) → gradient of ⟨output, upstream⟩ for each input</param>
    /// <param name="inputs">the point to check at</param>
    /// <param name="what">a name for messages</param>
    public static void Check(
        Func<double[][], double[]> forward, Func<double[][], double[], double[][]> vectorJacobian, double[][] inputs, string what)
    {
        var rng = new System.Random(what.Length);
        var output = forward(inputs);
        var upstream = output.Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        var analytic = vectorJacobian(inputs, upstream);
        const double Eps = 1e-4;
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i].Length, analytic[i].Length);
            for (var j = 0; j < inputs[i].Length; j++)
            {
                var original = inputs[i][j];
                inputs[i][j] = original + Eps;
                var plus = Dot(forward(inputs), upstream);
                inputs[i][j] = original - Eps;
                var minus = Dot(forward(inputs), upstream);
                inputs[i][j] = original;
                var numeric = (plus - minus) / (2 * Eps);
                Assert.True(
                    Math.Abs(numeric - analytic[i][j]) <= 1e-8 + (1e-7 * Math.Abs(numeric)),
                    $"{what}: d/d input {i}[{j}] is {analytic[i][j]} by backward, {numeric} by finite differences");
            }
        }
    }

    public static double[] Random(int count, int seed)
    {
        var rng = new System.Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (rng.NextDouble() * 2) - 1)];
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
