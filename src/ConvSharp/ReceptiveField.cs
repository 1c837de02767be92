using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvSharp;

/// <summary>One layer of a stack, as the receptive-field recurrences see it.</summary>
/// <param name="Name">a label for printing</param>
/// <param name="Kernel">kernel size k (square)</param>
/// <param name="Stride">stride s</param>
/// <param name="Dilation">dilation d</param>
/// <param name="Padding">padding p on each side</param>
public readonly record struct LayerSpec(string Name, int Kernel, int Stride = 1, int Dilation = 1, int Padding = 0);

/// <summary>Where one layer's outputs look in the input.</summary>
/// <param name="Layer">the layer's label</param>
/// <param name="Size">receptive field r: how many input pixels (per axis) one output sees</param>
/// <param name="Jump">jump j: input pixels between neighbouring outputs</param>
/// <param name="Start">centre of the first output's field, in input pixel coordinates (pixel 0 at 0)</param>
public readonly record struct ReceptiveFieldStep(string Layer, int Size, int Jump, double Start);

/// <summary>
/// The receptive field of a stack of convolution and pooling layers, by the standard recurrences
/// (with effective kernel k' = d·(k − 1) + 1): j ← j·s, r ← r + (k' − 1)·j_prev,
/// start ← start + ((k' − 1)/2 − p)·j_prev, from r = 1, j = 1, start = 0 at the input.
/// </summary>
public static partial class ReceptiveField
{
    /// <summary>
    /// Parses a stack written as comma-separated layers: <c>conv3x3</c>, <c>conv7x7s2</c>,
    /// <c>conv3x3d2</c>, <c>conv5x5s2p1</c>, <c>pool2</c>, <c>pool3s2</c>. <c>K</c> alone means K×K;
    /// <c>s</c> is the stride (1 for convolutions, the kernel for pools), <c>d</c> the dilation,
    /// <c>p</c> the padding per side (for convolutions d·(k − 1)/2, "same", for pools 0). Only
    /// square kernels: the recurrences are per axis.
    /// </summary>
    public static IReadOnlyList<LayerSpec> Parse(string stack)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stack);
        var layers = new List<LayerSpec>();
        foreach (var token in stack.Split(',', StringSplitOptions.TrimEntries))
        {
            var match = LayerPattern().Match(token.ToLowerInvariant());
            if (!match.Success)
            {
                throw new ArgumentException(
                    $"cannot read layer '{token}': write conv<K>[x<K>][s<stride>][d<dilation>][p<padding>] or pool<K>[s<stride>], e.g. conv3x3s2 or pool2", nameof(stack));
            }

            var kind = match.Groups["kind"].Value;
            var k = Int(match.Groups["k"].Value, token);
            if (match.Groups["k2"].Success && Int(match.Groups["k2"].Value, token) != k)
            {
                throw new ArgumentException($"layer '{token}' has a non-square kernel; the receptive field here is computed per axis for square kernels", nameof(stack));
            }

            var stride = match.Groups["s"].Success ? Int(match.Groups["s"].Value, token) : kind == "pool" ? k : 1;
            var dilation = match.Groups["d"].Success ? Int(match.Groups["d"].Value, token) : 1;
            var padding = match.Groups["p"].Success ? Int(match.Groups["p"].Value, token)
                : kind == "pool" ? 0 : (int)Math.Min((long)dilation * (k - 1) / 2, int.MaxValue);
            layers.Add(new LayerSpec(token, k, stride, dilation, padding));
        }

        return layers;
    }

    [GeneratedRegex(@"^(?<kind>conv|pool)(?<k>[0-9]+)(x(?<k2>[0-9]+))?(s(?<s>[0-9]+))?(d(?<d>[0-9]+))?(p(?<p>[0-9]+))?$")]
    private static partial Regex LayerPattern();

    private static int Int(string text, string token) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"layer '{token}': {text} is too large; kernel, stride, dilation and padding must be at most {int.MaxValue}");

    /// <summary>The receptive field after each layer, in order.</summary>
    public static IReadOnlyList<ReceptiveFieldStep> Compute(IEnumerable<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var steps = new List<ReceptiveFieldStep>();
        var (size, jump, start) = (1, 1, 0.0);
        foreach (var layer in layers)
        {
            if (layer.Kernel <= 0 || layer.Stride <= 0 || layer.Dilation <= 0 || layer.Padding < 0)
            {
                throw new ArgumentException(
                    $"layer '{layer.Name}' needs kernel, stride and dilation ≥ 1 and padding ≥ 0, but got kernel {layer.Kernel}, stride {layer.Stride}, dilation {layer.Dilation}, padding {layer.Padding}",
                    nameof(layers));
            }

            // In 64 bits, then refused with the true sizes: a deep stack of large strides outgrows an int.
            var effective = ((long)layer.Dilation * (layer.Kernel - 1)) + 1;
            start += (((effective - 1) / 2.0) - layer.Padding) * jump;
            var (newSize, newJump) = (size + ((effective - 1) * jump), (long)jump * layer.Stride);
            if (newSize > int.MaxValue || newJump > int.MaxValue)
            {
                throw new ArgumentException(
                    $"after layer '{layer.Name}' the receptive field would be {newSize} pixels wide with a jump of {newJump}, more than the {int.MaxValue} this computes",
                    nameof(layers));
            }

            (size, jump) = ((int)newSize, (int)newJump);
            steps.Add(new ReceptiveFieldStep(layer.Name, size, jump, start));
        }

        return steps;
    }
}
