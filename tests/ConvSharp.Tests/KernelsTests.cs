using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

public class KernelsTests
{
    [Theory]
    [InlineData(1, new float[] { -1, 1 })]
    [InlineData(2, new float[] { 1, -2, 1 })]
    [InlineData(3, new float[] { -1, 3, -3, 1 })]
    [InlineData(4, new float[] { 1, -4, 6, -4, 1 })]
    [InlineData(5, new float[] { -1, 5, -10, 10, -5, 1 })]
    public void Derivative_kernels_are_signed_binomial_coefficients(int order, float[] expected)
    {
        var k = Kernels.Derivative(order);
        Expect.Shape([1, order + 1], k);
        Expect.Values(expected, k);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void The_d_th_derivative_kernel_sends_x_to_the_d_to_a_constant_and_lower_powers_to_zero(int d)
    {
        var x = Tensor.Arange(-4, 6);
        var kernel = Kernels.Derivative(d);
        var factorial = Enumerable.Range(1, d).Aggregate(1f, (a, b) => a * b);
        var highest = F.Corr2d(x.Pow(d).Reshape(1, -1), kernel);
        Assert.All(highest.ToArray(), v => Assert.Equal(factorial, v, 1e-3f * factorial));
        var lower = F.Corr2d(x.Pow(d - 1).Reshape(1, -1), kernel);
        Assert.All(lower.ToArray(), v => Assert.Equal(0f, v, 1e-3f));
    }

    [Fact]
    public void Coefficients_stay_exact_for_high_orders()
    {
        var k = Kernels.Derivative(20).ToArray();
        Assert.Equal(184756f, Math.Abs(k[10]));
        Assert.Equal(0f, k.Sum());
    }

    [Fact]
    public void Classic_kernels_have_their_defining_sums()
    {
        Assert.Equal(0f, Kernels.Laplacian().Sum().Item());
        Assert.Equal(-4f, Kernels.Laplacian()[1, 1].Item());
        Assert.Equal(1f, Kernels.Box(5).Sum().Item(), 1e-6f);
        Assert.Equal(0f, Kernels.SobelX().Sum().Item());
        Assert.True(Tensor.Equal(Kernels.SobelX().T, Kernels.SobelY()));
        Expect.Values([1, -1], Kernels.Edge());
    }

    [Fact]
    public void Laplacian_and_box_on_the_diagonal_image_give_the_seeds_numbers()
    {
        var X = Cli.Tour.TourExercises.DiagonalImage();
        var laplacian = F.Conv2d(X, Kernels.Laplacian().Reshape(1, 1, 3, 3), padding: 1).Squeeze();
        Expect.Values(
        [
            -2, -1, -2, 1, 0, 0,
            -1, 0, -1, 1, 0, 0,
            -2, -1, -2, 2, 1, 1,
            1, 1, 2, -2, -1, -2,
            0, 0, 1, -1, 0, -1,
            0, 0, 1, -2, -1, -2,
        ], laplacian);

        var box = F.Conv2d(X, Kernels.Box(3).Reshape(1, 1, 3, 3), padding: 1).Squeeze();
        var seed = new float[]
        {
            0.4444f, 0.6667f, 0.4444f, 0.2222f, 0.0000f, 0.0000f,
            0.6667f, 1.0000f, 0.6667f, 0.3333f, 0.0000f, 0.0000f,
            0.4444f, 0.6667f, 0.5556f, 0.4444f, 0.3333f, 0.2222f,
            0.2222f, 0.3333f, 0.4444f, 0.5556f, 0.6667f, 0.4444f,
            0.0000f, 0.0000f, 0.3333f, 0.6667f, 1.0000f, 0.6667f,
            0.0000f, 0.0000f, 0.2222f, 0.4444f, 0.6667f, 0.4444f,
        };
        Expect.Close(seed, box.ToArray(), rtol: 0, atol: 5e-5);
    }
}
