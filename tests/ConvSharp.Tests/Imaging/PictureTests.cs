using ConvSharp.Imaging;
using ConvSharp.Imaging.Pictures;

namespace ConvSharp.Tests.Imaging;

/// <summary>Grids and kernel pictures: the right layout, the right colours, and text that actually renders.</summary>
public class PictureTests
{
    /// <summary>How many pixels of a (3, H, W) picture inside a box are dark: text, where there is text.</summary>
    internal static int DarkPixels(Tensor picture, int top, int bottom, int left, int right)
    {
        var (h, w) = (picture.Shape[1], picture.Shape[2]);
        var rgb = picture.ToArray();
        var count = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                var p = (y * w) + x;
                count += rgb[p] + rgb[(h * w) + p] + rgb[(2 * h * w) + p] < 1.2f ? 1 : 0;
            }
        }

        return count;
    }

    [Fact]
    public void A_grid_lays_out_tiles_in_rows_and_writes_each_label()
    {
        var tiles = Enumerable.Range(0, 5).Select(i => new GridTile($"map {i}", Tensor.Full([1, 10, 20], 1f))).ToList();
        var picture = ImageGrid.Render(tiles, columns: 3, cellSize: 100, title: "five white maps");
        // 10 px gaps, 32 px title, 22 px labels: width 10 + 3·110, height 42 + 2·132.
        Assert.Equal([3, 306, 340], picture.Shape);
        Assert.True(DarkPixels(picture, 0, 32, 0, 340) > 50, "the title did not render");
        for (var i = 0; i < 5; i++)
        {
            var (x, y) = (10 + (i % 3 * 110), 42 + (i / 3 * 132));
            Assert.True(DarkPixels(picture, y + 100, y + 122, x, x + 100) > 20, $"label {i} did not render");
            // The tile itself is white and scaled to fill the cell's width: 100×50, centred.
            Assert.Equal(0, DarkPixels(picture, y + 27, y + 73, x + 2, x + 98));
        }
    }

    [Fact]
    public void Small_kernels_are_enlarged_without_blurring_their_taps()
    {
        var picture = ImageGrid.Render([new GridTile("K", Display.Map(Tensor.FromArray([1f, -1f], 1, 2), DisplayMap.Signed))], cellSize: 100);
        var rgb = picture.ToArray();
        var (h, w) = (picture.Shape[1], picture.Shape[2]);
        float[] Pixel(int y, int x) => [rgb[(y * w) + x], rgb[(h * w) + (y * w) + x], rgb[(2 * h * w) + (y * w) + x]];
        // Cell at (10, 10), 100×50 drawn from y = 35: left half red, right half blue, up to the seam.
        Assert.Equal([1f, 0f, 0f], Pixel(60, 58));
        Assert.Equal([0f, 0f, 1f], Pixel(60, 62));
    }

    [Fact]
    public void A_kernel_picture_colours_each_tap_and_writes_its_value()
    {
        var picture = KernelPicture.Render(Tensor.FromArray([1f, -1f], 1, 2), "the edge kernel");
        var (h, w) = (picture.Shape[1], picture.Shape[2]);
        var rgb = picture.ToArray();
        float[] Pixel(int y, int x) => [rgb[(y * w) + x], rgb[(h * w) + (y * w) + x], rgb[(2 * h * w) + (y * w) + x]];
        // 72-px taps centred in a 240-px-wide picture, below a 42-px title band.
        var (left, top) = ((w - 144) / 2, 42);
        Assert.Equal([1f, 0f, 0f], Pixel(top + 4, left + 4));
        Assert.Equal([0f, 0f, 1f], Pixel(top + 4, left + 72 + 4));
        Assert.True(DarkPixels(picture, 0, 30, 0, w) > 50, "the title did not render");
        // The value is written in white on the saturated tap.
        var white = 0;
        for (var y = top + 20; y < top + 52; y++)
        {
            for (var x = left + 10; x < left + 62; x++)
            {
                white += Pixel(y, x)[1] > 0.8f ? 1 : 0;
            }
        }

        Assert.True(white > 5, "the tap's value did not render");
    }

    [Fact]
    public void The_bundled_font_is_a_real_typeface()
    {
        using var typeface = BundledFont.CreateTypeface();
        Assert.Equal(BundledFont.FamilyName, typeface.FamilyName);
        Assert.True(typeface.GlyphCount > 1000);
    }

    [Fact]
    public void Bad_tiles_and_kernels_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Render([]));
        Assert.Throws<ArgumentException>(() => ImageGrid.Render([new GridTile("two channels", Tensor.Zeros(2, 4, 4))]));
        Assert.Throws<ArgumentException>(() => KernelPicture.Render(Tensor.Zeros(1, 3, 3)));
        Assert.Throws<ArgumentException>(() => KernelPicture.Render(Tensor.FromArray([float.NaN], 1, 1)));
    }
}
