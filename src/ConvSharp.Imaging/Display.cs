using System.Globalization;

namespace ConvSharp.Imaging;

/// <summary>How a filter response, whose values can be anything, becomes a picture in [0, 1].</summary>
public enum DisplayMap
{
    /// <summary>Values below 0 become 0 and above 1 become 1: for blurs and sharpening, whose output is still an image.</summary>
    Clamp,

    /// <summary>Min–max normalised over all channels: the smallest value black, the largest white.</summary>
    Normalize,

    /// <summary>|v| divided by the scale (see <see cref="Display.Map"/>): edge strength, whatever the sign.</summary>
    Abs,

    /// <summary>
    /// A diverging colour map for signed responses such as edges: negative blue, zero white,
    /// positive red, divided by the scale (see <see cref="Display.Map"/>). A colour response shows, at each pixel, the
    /// channel of largest magnitude.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "'signed' is the name users type: --map signed")]
    Signed,
}

/// <summary>Maps filter responses to pictures; see <see cref="DisplayMap"/>.</summary>
public static class Display
{
    /// <summary>
    /// Maps a response of shape (H, W) or (C, H, W) to a picture in [0, 1]: the same channels
    /// for <see cref="DisplayMap.Clamp"/>, <see cref="DisplayMap.Normalize"/> and
    /// <see cref="DisplayMap.Abs"/>, three (RGB) for <see cref="DisplayMap.Signed"/>.
    /// </summary>
    /// <param name="response">the filter response</param>
    /// <param name="map">the mapping</param>
    /// <param name="saturate">
    /// for <see cref="DisplayMap.Abs"/> and <see cref="DisplayMap.Signed"/>: the fraction of values
    /// allowed to saturate. The scale is the (1 − saturate) quantile of |v|, so that a handful of
    /// extreme responses do not leave every other edge near zero; 0 scales by the largest |v|.
    /// </param>
    public static Tensor Map(Tensor response, DisplayMap map, double saturate = 0.005)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(saturate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(saturate, 0.5);
        ArgumentNullException.ThrowIfNull(response);
        var dims = response.Shape;
        if (dims.Length is not (2 or 3) || dims.Any(d => d == 0))
        {
            throw new ArgumentException($"a response to display is (H, W) or (C, H, W) with no empty dimension, but got size [{string.Join(", ", dims)}]", nameof(response));
        }

        var shape = dims.Length == 2 ? [1, dims[0], dims[1]] : dims;
        var values = response.Contiguous().ToArray();
        if (Array.FindIndex(values, v => !float.IsFinite(v)) is var bad and >= 0)
        {
            throw new ArgumentException(
                $"the response holds {values[bad].ToString(CultureInfo.InvariantCulture)} at flat index {bad}; only finite responses can be displayed", nameof(response));
        }

        return map switch
        {
            DisplayMap.Clamp => Tensor.FromArray(Array.ConvertAll(values, v => Math.Clamp(v, 0f, 1f)), shape),
            DisplayMap.Normalize => Tensor.FromArray(Normalize(values), shape),
            DisplayMap.Abs => Tensor.FromArray(Abs(values, Scale(values, saturate)), shape),
            DisplayMap.Signed => Signed(values, Scale(values, saturate), shape[0], shape[1], shape[2]),
            _ => throw new ArgumentOutOfRangeException(nameof(map), map, "unknown display map"),
        };
    }

    /// <summary>The colour of a value in [−1, 1] on the signed map: blue (0, 0, 1) at −1, white at 0, red (1, 0, 0) at +1.</summary>
    public static (float R, float G, float B) SignedColor(float t)
    {
        t = Math.Clamp(t, -1f, 1f);
        return t >= 0 ? (1f, 1f - t, 1f - t) : (1f + t, 1f + t, 1f);
    }

    private static float[] Normalize(float[] values)
    {
        var (min, max) = (values.Min(), values.Max());
        var range = max - min;
        return range > 0 ? Array.ConvertAll(values, v => (v - min) / range) : new float[values.Length];
    }

    /// <summary>The (1 − saturate) quantile of |v|, or the largest |v| when that quantile is 0.</summary>
    private static float Scale(float[] values, double saturate)
    {
        var magnitudes = Array.ConvertAll(values, MathF.Abs);
        Array.Sort(magnitudes);
        var quantile = magnitudes[(int)Math.Floor((magnitudes.Length - 1) * (1 - saturate))];
        return quantile > 0 ? quantile : magnitudes[^1];
    }

    private static float[] Abs(float[] values, float scale) =>
        scale > 0 ? Array.ConvertAll(values, v => Math.Min(MathF.Abs(v) / scale, 1f)) : new float[values.Length];

    private static Tensor Signed(float[] values, float scale, int channels, int height, int width)
    {
        var pixels = height * width;
        var rgb = new float[3 * pixels];
        for (var p = 0; p < pixels; p++)
        {
            var strongest = values[p];
            for (var c = 1; c < channels; c++)
            {
                var v = values[(c * pixels) + p];
                strongest = MathF.Abs(v) > MathF.Abs(strongest) ? v : strongest;
            }

            var (r, g, b) = SignedColor(scale > 0 ? strongest / scale : 0f);
            (rgb[p], rgb[pixels + p], rgb[(2 * pixels) + p]) = (r, g, b);
        }

        return Tensor.FromArray(rgb, 3, height, width);
    }
}
