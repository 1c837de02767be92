namespace ConvSharp.Tests.Support;

/// <summary>
/// Compares autograd's gradients with central finite differences of the scalar
/// L = Σ f(inputs) ⊙ U for a fixed random U, evaluated in float32 and summed in double.
/// Step and tolerances suit float32 evaluation: truncation error O(eps²), rounding O(ulp/eps).
/// </summary>
internal static class GradCheck
{
    public static void Check(
        Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 5e-3, double rtol = 1e-2, double atol = 1e-3, string what = "")
    {
        var leaves = inputs.Select(x => Leaf(x.ToArray(), x.Shape)).ToArray();
        var output = f(leaves);
        var upstream = Upstream(output.Shape);
        (output * upstream).Sum().Backward();
        var weights = upstream.ToArray();

        for (var i = 0; i < inputs.Length; i++)
        {
            var values = inputs[i].ToArray();
            var numeric = new float[values.Length];
            for (var j = 0; j < values.Length; j++)
            {
                var original = values[j];
                values[j] = (float)(original + eps);
                var plus = Loss(f, inputs, i, values, weights);
                values[j] = (float)(original - eps);
                var minus = Loss(f, inputs, i, values, weights);
                values[j] = original;
                numeric[j] = (float)((plus - minus) / (2 * eps));
            }

            var analytic = leaves[i].Grad;
            Assert.True(analytic is not null, $"{what}: input {i} got no gradient");
            Expect.Close(numeric, analytic!.ToArray(), rtol, atol, $"{what} gradient of input {i}");
        }
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] inputs, int replaced, float[] values, float[] weights)
    {
        using var noGrad = Tensor.NoGrad();
        var args = inputs.Select((x, k) => k == replaced ? Tensor.FromArray(values, x.Shape) : x).ToArray();
        var output = f(args).ToArray();
        var sum = 0.0;
        for (var k = 0; k < output.Length; k++)
        {
            sum += (double)output[k] * weights[k];
        }

        return sum;
    }

    private static Tensor Leaf(float[] data, int[] shape)
    {
        var leaf = Tensor.FromArray(data, shape);
        leaf.RequiresGrad = true;
        return leaf;
    }

    /// <summary>Fixed pseudo-random weights in [-1, 1], independent of the global generator.</summary>
    private static Tensor Upstream(int[] shape)
    {
        var rng = new System.Random(1234);
        var count = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray([.. Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2) - 1))], shape);
    }
}

/// <summary>Random test tensors from System.Random with a fixed seed, so tests never touch the global generator.</summary>
internal sealed class TestData(int seed)
{
    private readonly System.Random _rng = new(seed);

    public Tensor Normal(params int[] shape) => Make(shape, () => (float)(Math.Sqrt(-2 * Math.Log(1 - _rng.NextDouble())) * Math.Cos(2 * Math.PI * _rng.NextDouble())));

    public Tensor Uniform(float low, float high, params int[] shape) => Make(shape, () => (float)(low + ((high - low) * _rng.NextDouble())));

    /// <summary>Values with |x| in [0.2, 1.5] and random sign: away from the kinks of relu and abs.</summary>
    public Tensor AwayFromZero(params int[] shape) =>
        Make(shape, () => (float)((0.2 + (1.3 * _rng.NextDouble())) * (_rng.Next(2) == 0 ? -1 : 1)));

    public int Next(int low, int high) => _rng.Next(low, high);

    private static Tensor Make(int[] shape, Func<float> draw)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray([.. Enumerable.Range(0, count).Select(_ => draw())], shape);
    }
}
