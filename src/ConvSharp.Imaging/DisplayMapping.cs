using System.Runtime.CompilerServices;

namespace ConvSharp.Imaging;

/// <summary>
/// One display map with the numbers it was fitted to (see <see cref="ResponseStatistics"/>), applied
/// value by value: the single definition behind <see cref="Display.Map"/> (whole tensors) and
/// <see cref="PictureRows"/> (a picture filled a band of rows at a time), so both draw the same.
/// </summary>
internal readonly record struct DisplayMapping(DisplayMap Map, float Min, float Max, float Scale)
{
    /// <summary>Whether the map needs the range (<see cref="Min"/>, <see cref="Max"/>).</summary>
    public static bool NeedsRange(DisplayMap map) => map != DisplayMap.Clamp;

    /// <summary>Whether the map needs <see cref="Scale"/> (the second pass of <see cref="ResponseStatistics"/>).</summary>
    public static bool NeedsScale(DisplayMap map) => map is DisplayMap.Abs or DisplayMap.Signed;

    /// <summary>The picture's channels for a response of <paramref name="channels"/>: the same, or 3 for the colours of <see cref="DisplayMap.Signed"/>.</summary>
    public static int PictureChannels(DisplayMap map, int channels) => map == DisplayMap.Signed ? 3 : channels;

    /// <summary>
    /// Maps a (C, rows, W) band of the response, channel-major with planes of
    /// <paramref name="plane"/> values, to the picture's channels in [0, 1], written the same way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(ReadOnlySpan<float> response, int channels, int plane, Span<float> picture)
    {
        if (Map == DisplayMap.Signed)
        {
            // A colour response shows, at each pixel, the channel of largest magnitude.
            PixelLoops.Signed(response, channels, plane, Scale, picture);
            return;
        }

        var values = response[..(channels * plane)];
        var mapped = picture[..(channels * plane)];
        var range = Max - Min;
        switch (Map)
        {
            case DisplayMap.Clamp:
                PixelLoops.Clamp(values, mapped);
                return;
            case DisplayMap.Normalize when range > 0:
                PixelLoops.Normalize(values, Min, range, mapped);
                return;
            case DisplayMap.Abs when Scale > 0:
                PixelLoops.Abs(values, Scale, mapped);
                return;
            default:
                mapped.Clear(); // normalize of a constant response, abs of one that is all zeros: black
                return;
        }
    }
}
