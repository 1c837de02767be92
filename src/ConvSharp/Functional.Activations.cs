using System.Globalization;
using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>Fully connected layers, activations, softmax and dropout.</summary>
public static partial class Functional
{
    /// <summary>
    /// y = x·Wᵀ + b, as <c>F.linear</c>, on the blocked GEMM.
    /// </summary>
    /// <param name="input">(N, in), (in), or (*, in) for any leading dimensions</param>
    /// <param name="weight">(out, in)</param>
    /// <param name="bias">(out), or null</param>
    /// <returns>(N, out), (out), or (*, out)</returns>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return LinearOps.Linear(input, weight, bias);
    }

    /// <summary>1 / (1 + e^−x) element-wise: <c>torch.sigmoid</c>.</summary>
    public static Tensor Sigmoid(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }

    /// <summary>The hyperbolic tangent element-wise: <c>torch.tanh</c>.</summary>
    public static Tensor Tanh(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Tanh();
    }

    /// <summary>
    /// e^x / Σ e^x along <paramref name="dim"/> (negative counts from the end), as
    /// <c>F.softmax(input, dim)</c>; the maximum is subtracted first, so large logits do not overflow.
    /// </summary>
    public static Tensor Softmax(Tensor input, int dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return SoftmaxOps.Softmax(input, dim, log: false);
    }

    /// <summary>
    /// x − log Σ e^x along <paramref name="dim"/>, as <c>F.log_softmax(input, dim)</c>: computed as
    /// (x − max) − log Σ e^(x − max), exact for logits of any size.
    /// </summary>
    public static Tensor LogSoftmax(Tensor input, int dim)
    {
        ArgumentNullException.ThrowIfNull(input);
        return SoftmaxOps.Softmax(input, dim, log: true);
    }

    /// <summary>
    /// Inverted dropout, as <c>F.dropout(input, p, training)</c>: when <paramref name="training"/>,
    /// each element is zeroed with probability <paramref name="p"/> (drawn from the global
    /// generator, <see cref="Rng.ManualSeed"/>) and the rest are scaled by 1/(1 − p), so the
    /// expected value is unchanged; otherwise <paramref name="input"/> itself is returned.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> is not in [0, 1]</exception>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutProbability(p);
        return training ? ActivationOps.Dropout(input, p) : input;
    }

    internal static void CheckDropoutProbability(float p)
    {
        if (!(p >= 0f && p <= 1f))
        {
            throw new ArgumentException(
                $"dropout probability has to be between 0 and 1, but got {p.ToString(CultureInfo.InvariantCulture)}", nameof(p));
        }
    }

    /// <summary>A float as Python prints it: 0.5, 1.0, 0.1.</summary>
    internal static string PythonFloat(float value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return float.IsFinite(value) && !text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.Ordinal)
            ? text + ".0"
            : text;
    }
}
