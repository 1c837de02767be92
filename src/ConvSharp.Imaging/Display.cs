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
    /// <summary>The fraction of |v| allowed to saturate by default: the scale is the 99.5th percentile.</summary>
    internal const double DefaultSaturate = 0.005;

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
    public static Tensor Map(Tensor response, DisplayMap map, double saturate = DefaultSaturate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(saturate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(saturate, 0.5);
        ArgumentNullException.ThrowIfNull(response);
        var dims = response.Shape;
        if (dims.Length is not (2 or 3) || dims.Any(d => d == 0))
        {
            throw new ArgumentException($"a response to display is (H, W) or (C, H, W) with no empty dimension, but got size [{string.Join(", ", dims)}]", nameof(response));
        }

        var (channels, height, width) = dims.Length == 2 ? (1, dims[0], dims[1]) : (dims[0], dims[1], dims[2]);
        var values = response.Contiguous().ToArray();
        var mapping = Fit(map, saturate, values);
        var pictureChannels = DisplayMapping.PictureChannels(map, channels);
        var picture = new float[(long)pictureChannels * height * width];
        mapping.Apply(values, channels, height * width, picture);
        return Tensor.FromArray(picture, pictureChannels, height, width);
    }

    /// <summary>The mapping fitted to a whole response held in memory: both passes of <see cref="ResponseStatistics"/> over it.</summary>
    internal static DisplayMapping Fit(DisplayMap map, double saturate, ReadOnlySpan<float> values)
    {
        if (!Enum.IsDefined(map))
        {
            throw new ArgumentOutOfRangeException(nameof(map), map, "unknown display map");
        }

        var statistics = new ResponseStatistics(values.Length, saturate, DisplayMapping.NeedsScale(map));
        statistics.Observe(values); // refuses a value that is not finite, whatever the map
        if (!DisplayMapping.NeedsRange(map))
        {
            return new DisplayMapping(map, 0f, 0f, 0f);
        }

        if (!DisplayMapping.NeedsScale(map))
        {
            return new DisplayMapping(map, statistics.Min, statistics.Max, 0f);
        }

        statistics.ObserveAgain(values);
        return new DisplayMapping(map, statistics.Min, statistics.Max, statistics.Scale());
    }

    /// <summary>The colour of a value in [−1, 1] on the signed map: blue (0, 0, 1) at −1, white at 0, red (1, 0, 0) at +1.</summary>
    public static (float R, float G, float B) SignedColor(float t)
    {
        t = Math.Clamp(t, -1f, 1f);
        return t >= 0 ? (1f, 1f - t, 1f - t) : (1f + t, 1f + t, 1f);
    }
}
