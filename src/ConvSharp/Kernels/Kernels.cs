namespace ConvSharp;

/// <summary>
/// Classic kernels for cross-correlation (<see cref="Functional.Corr2d"/>, <see cref="Functional.Conv2d"/>),
/// as 2-D tensors (KH, KW). Each is written the way cross-correlation reads it: the tap at
/// [a, b] multiplies the pixel a rows down and b columns right of the window's corner.
/// </summary>
public static class Kernels
{
    /// <summary>The chapter's edge detector [1, −1]: X[i, j] − X[i, j + 1], so 1 marks white-to-black, −1 black-to-white.</summary>
    public static Tensor Edge() => Tensor.From(new float[,] { { 1, -1 } });

    /// <summary>The 4-neighbour Laplacian, a discrete second derivative in x and y.</summary>
    public static Tensor Laplacian() => Tensor.From(new float[,] { { 0, 1, 0 }, { 1, -4, 1 }, { 0, 1, 0 } });

    /// <summary>A size×size box (mean) filter: the discrete integral over the window, divided by its area.</summary>
    public static Tensor Box(int size = 3)
    {
        if (size <= 0)
        {
            throw new ArgumentException($"a box kernel needs a positive size, but got {size}", nameof(size));
        }

        return Tensor.Ones(size, size) / (size * size);
    }

    /// <summary>Sobel operator for the horizontal derivative (responds to vertical edges).</summary>
    public static Tensor SobelX() => Tensor.From(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } });

    /// <summary>Sobel operator for the vertical derivative (responds to horizontal edges).</summary>
    public static Tensor SobelY() => Tensor.From(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } });

    /// <summary>
    /// The smallest kernel for the <paramref name="order"/>-th derivative along a row: the forward
    /// difference Δᵈ, with d + 1 taps (−1)^(d−k)·C(d, k). Fewer taps cannot work: a kernel of
    /// d taps sends every polynomial of degree d − 1 to a constant, so it cannot tell degree d
    /// apart. For d = 1 this is [−1, 1] (the chapter's edge kernel with its sign flipped),
    /// for d = 2 [1, −2, 1]. Coefficients are exact in float32 up to d = 24.
    /// </summary>
    public static Tensor Derivative(int order)
    {
        if (order < 1 || order > 128)
        {
            throw new ArgumentException($"the derivative order must be between 1 and 128, but got {order}", nameof(order));
        }

        var taps = new float[1, order + 1];
        var binomial = 1.0;
        for (var k = 0; k <= order; k++)
        {
            taps[0, k] = (float)((order - k) % 2 == 0 ? binomial : -binomial);
            binomial = binomial * (order - k) / (k + 1);
        }

        return Tensor.From(taps);
    }
}
