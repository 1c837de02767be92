using ConvSharp.Imaging;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// An upright raster's float rows, read a channel at a time from the table of levels, against
/// the documented formulas pixel by pixel: v / 255, luma 0.299 R + 0.587 G + 0.114 B, alpha
/// composited or kept; for every colour and alpha mode, gray and colour, opaque and not.
/// </summary>
public class ImageRasterTests
{
    public static TheoryData<ColorMode, AlphaMode, bool, bool> Cases()
    {
        var cases = new TheoryData<ColorMode, AlphaMode, bool, bool>();
        foreach (var color in Enum.GetValues<ColorMode>())
        {
            foreach (var alpha in Enum.GetValues<AlphaMode>())
            {
                foreach (var gray in new[] { true, false })
                {
                    foreach (var opaque in new[] { true, false })
                    {
                        cases.Add(color, alpha, gray, opaque);
                    }
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rows_are_the_formulas_values(ColorMode color, AlphaMode alpha, bool gray, bool opaque)
    {
        const int width = 37, height = 5;
        var random = new Random(((int)color * 16) + ((int)alpha * 4) + (gray ? 2 : 0) + (opaque ? 1 : 0));
        var rgba = new byte[width * height * 4];
        for (var p = 0; p < width * height; p++)
        {
            var r = (byte)random.Next(256);
            (rgba[4 * p], rgba[(4 * p) + 1], rgba[(4 * p) + 2]) = gray ? (r, r, r) : (r, (byte)random.Next(256), (byte)random.Next(256));
            rgba[(4 * p) + 3] = opaque || p % 3 != 0 ? (byte)255 : (byte)random.Next(255);
        }

        using var raster = ImageRaster.FromRgba(rgba, width, height, new ImageLoadOptions(color, alpha));
        var colours = color == ColorMode.Rgb || (color == ColorMode.Auto && !gray) ? 3 : 1;
        var keepAlpha = alpha == AlphaMode.Keep && !opaque;
        Assert.Equal(colours + (keepAlpha ? 1 : 0), raster.Channels);

        var rows = new float[raster.Channels * 3 * width];
        raster.ReadRows(1, 3, rows);
        var plane = 3 * width;
        for (var y = 1; y < 4; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = (y * width) + x;
                var (r, g, b, a) = (rgba[4 * p] / 255f, rgba[(4 * p) + 1] / 255f, rgba[(4 * p) + 2] / 255f, rgba[(4 * p) + 3] / 255f);
                if (!opaque && alpha is AlphaMode.OverWhite or AlphaMode.OverBlack)
                {
                    var background = alpha == AlphaMode.OverWhite ? 1f : 0f;
                    (r, g, b) = ((r * a) + (background * (1f - a)), (g * a) + (background * (1f - a)), (b * a) + (background * (1f - a)));
                }

                float[] expected = colours == 3 ? [r, g, b]
                    : color == ColorMode.Auto ? [r]
                    : [(0.299f * r) + (0.587f * g) + (0.114f * b)];
                if (keepAlpha)
                {
                    expected = [.. expected, a];
                }

                var at = ((y - 1) * width) + x;
                for (var c = 0; c < expected.Length; c++)
                {
                    Assert.True(expected[c] == rows[(c * plane) + at], $"pixel ({y}, {x}) channel {c}: {rows[(c * plane) + at]:R}, expected {expected[c]:R}");
                }
            }
        }
    }

    [Fact]
    public void Rows_go_into_planes_as_far_apart_as_asked()
    {
        var rgba = Enumerable.Range(0, 4 * 6 * 4).Select(i => (byte)(i * 7)).ToArray();
        using var raster = ImageRaster.FromRgba(rgba, 6, 4, new ImageLoadOptions(ColorMode.Rgb));
        var tight = new float[3 * 2 * 6];
        raster.ReadRows(1, 2, tight);
        var spread = new float[(2 * 20) + 12];
        raster.ReadRows(1, 2, spread, planeStride: 20);
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(tight.AsSpan(c * 12, 12).ToArray(), spread.AsSpan(c * 20, 12).ToArray());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => raster.ReadRows(1, 2, spread, planeStride: 11));
        Assert.Throws<ArgumentException>(() => raster.ReadRows(1, 2, new float[(2 * 20) + 11], planeStride: 20));
    }
}
