namespace ConvSharp.Tests.Support;

/// <summary>Element-wise comparisons that report the worst element on failure.</summary>
internal static class Expect
{
    /// <summary>|actual − expected| ≤ atol + rtol·|expected| everywhere, shapes equal (the DESIGN's 1e-4 / 1e-5 by default).</summary>
    public static void Close(Tensor expected, Tensor? actual, double rtol = 1e-4, double atol = 1e-5, string what = "")
    {
        Assert.NotNull(actual);
        Assert.True(
            expected.Shape.SequenceEqual(actual.Shape),
            $"{what}: shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expected.Shape)}]");
        Close(expected.ToArray(), actual.ToArray(), rtol, atol, what);
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol = 1e-4, double atol = 1e-5, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = -1;
        var worstExcess = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = (double)expected[i];
            var a = (double)actual[i];
            if (double.IsNaN(e) && double.IsNaN(a))
            {
                continue;
            }

            var excess = Math.Abs(a - e) - (atol + (rtol * Math.Abs(e)));
            if (excess > worstExcess || double.IsNaN(excess))
            {
                worst = i;
                worstExcess = double.IsNaN(excess) ? double.PositiveInfinity : excess;
            }
        }

        Assert.True(
            worst < 0,
            worst < 0 ? "" : $"{what}: element {worst} is {actual[worst]}, expected {expected[worst]} (rtol {rtol}, atol {atol})");
    }

    public static void Values(float[] expected, Tensor actual) => Assert.Equal(expected, actual.ToArray());

    public static void Shape(int[] expected, Tensor actual) => Assert.Equal(expected, actual.Shape);
}
