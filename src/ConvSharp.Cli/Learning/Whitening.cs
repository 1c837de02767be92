namespace ConvSharp.Cli.Learning;

/// <summary>
/// A linear change of the input's channels, x' = W·x at every pixel, that gives them unit
/// variance and, when a kernel mixes channels, no correlation: gradient descent's speed depends
/// on how well conditioned the input is, and the colour channels of a photograph are nearly
/// copies of each other. The learned kernel K' maps back as K[o, c] = Σ_c' K'[o, c']·W[c', c].
/// </summary>
internal sealed class Whitening
{
    private Whitening(double[,] matrix) => Matrix = matrix;

    /// <summary>W, channels × channels.</summary>
    public double[,] Matrix { get; }

    /// <summary>
    /// W for a centred (N, C, H, W) input: the inverse Cholesky factor of the channel covariance
    /// when <paramref name="decorrelate"/>, else one over each channel's RMS. A covariance too
    /// close to singular to factor (gray stored as RGB) falls back to the diagonal.
    /// </summary>
    public static Whitening For(Tensor centred, bool decorrelate)
    {
        var channels = centred.Shape[1];
        var flat = centred.Transpose(0, 1).Reshape(channels, -1);
        var covariance = (flat.MatMul(flat.T) / flat.Shape[1]).ToArray();
        var sigma = new double[channels, channels];
        for (var i = 0; i < channels; i++)
        {
            for (var j = 0; j < channels; j++)
            {
                sigma[i, j] = covariance[(i * channels) + j];
            }
        }

        if (decorrelate && InverseCholesky(sigma) is { } inverse)
        {
            return new Whitening(inverse);
        }

        var diagonal = new double[channels, channels];
        for (var c = 0; c < channels; c++)
        {
            diagonal[c, c] = sigma[c, c] > 0 ? 1 / Math.Sqrt(sigma[c, c]) : 1;
        }

        return new Whitening(diagonal);
    }

    /// <summary>x' = W·x for every pixel of an (N, C, H, W) tensor.</summary>
    public Tensor Apply(Tensor input)
    {
        var (n, c, h, w) = (input.Shape[0], input.Shape[1], input.Shape[2], input.Shape[3]);
        var flat = input.Transpose(0, 1).Reshape(c, -1);
        return ToTensor().MatMul(flat).Reshape(c, n, h, w).Transpose(0, 1).Contiguous();
    }

    /// <summary>The kernel for the original input: K[o, c] = Σ_c' K'[o, c']·W[c', c] (groups = 1), or K[c] = K'[c]·W[c, c] (depthwise).</summary>
    public Tensor MapBack(Tensor learned, bool depthwise)
    {
        var channels = Matrix.GetLength(0);
        if (depthwise)
        {
            var scales = Enumerable.Range(0, channels).Select(c => (float)Matrix[c, c]).ToArray();
            return learned * Tensor.FromArray(scales, channels, 1, 1, 1);
        }

        // (O, C', KH, KW) → (O, KH, KW, C') · W → (O, KH, KW, C) → (O, C, KH, KW)
        return learned.Permute(0, 2, 3, 1).MatMul(ToTensor()).Permute(0, 3, 1, 2).Contiguous();
    }

    private Tensor ToTensor()
    {
        var channels = Matrix.GetLength(0);
        var values = new float[channels * channels];
        for (var i = 0; i < channels; i++)
        {
            for (var j = 0; j < channels; j++)
            {
                values[(i * channels) + j] = (float)Matrix[i, j];
            }
        }

        return Tensor.FromArray(values, channels, channels);
    }

    /// <summary>L⁻¹ for Σ = L·Lᵀ, or null when a pivot is below 1e-8 of the trace.</summary>
    private static double[,]? InverseCholesky(double[,] sigma)
    {
        var n = sigma.GetLength(0);
        var trace = Enumerable.Range(0, n).Sum(i => sigma[i, i]);
        var lower = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = sigma[i, j];
                for (var k = 0; k < j; k++)
                {
                    sum -= lower[i, k] * lower[j, k];
                }

                if (i == j)
                {
                    if (sum <= 1e-8 * trace)
                    {
                        return null;
                    }

                    lower[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    lower[i, j] = sum / lower[j, j];
                }
            }
        }

        // Forward substitution, column by column, for the inverse of the lower-triangular factor.
        var inverse = new double[n, n];
        for (var column = 0; column < n; column++)
        {
            for (var i = column; i < n; i++)
            {
                var sum = i == column ? 1.0 : 0.0;
                for (var k = column; k < i; k++)
                {
                    sum -= lower[i, k] * inverse[k, column];
                }

                inverse[i, column] = sum / lower[i, i];
            }
        }

        return inverse;
    }
}
