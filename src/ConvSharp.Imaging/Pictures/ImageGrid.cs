using SkiaSharp;

namespace ConvSharp.Imaging.Pictures;

/// <summary>One picture in a grid, with the label written under it.</summary>
/// <param name="Label">a short caption</param>
/// <param name="Image">(H, W) or (C, H, W) with C = 1 or 3, values in [0, 1]; map responses first with <see cref="Display.Map"/></param>
public sealed record GridTile(string Label, Tensor Image);

/// <summary>Many feature maps, images or kernels side by side in one labelled picture.</summary>
public static class ImageGrid
{
    private const int Gap = 10;
    private const int LabelHeight = 22;
    private const int TitleHeight = 32;

    /// <summary>
    /// Lays the tiles out in rows of <paramref name="columns"/> (0: as square as it gets), each
    /// scaled to fit a <paramref name="cellSize"/>-pixel square with its aspect kept, framed
    /// and labelled, under an optional title. Returns the picture as a (3, H, W) tensor for
    /// <see cref="ImageFile.Save"/>.
    /// </summary>
    public static Tensor Render(IReadOnlyList<GridTile> tiles, int columns = 0, int cellSize = 192, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentOutOfRangeException.ThrowIfZero(tiles.Count, nameof(tiles));
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, 16);
        foreach (var tile in tiles)
        {
            PixelConversion.CheckPicture(tile.Image);
        }

        columns = columns == 0 ? (int)Math.Ceiling(Math.Sqrt(tiles.Count)) : Math.Min(columns, tiles.Count);
        var rows = (tiles.Count + columns - 1) / columns;
        var top = title is null ? Gap : TitleHeight + Gap;
        var width = Gap + (columns * (cellSize + Gap));
        var height = top + (rows * (cellSize + LabelHeight + Gap));
        using var canvas = new Canvas(width, height);
        if (title is not null)
        {
            canvas.Text(title, Gap, TitleHeight - 8, 18, width - (2 * Gap), SKColors.Black);
        }

        for (var i = 0; i < tiles.Count; i++)
        {
            var (x, y) = (Gap + (i % columns * (cellSize + Gap)), top + (i / columns * (cellSize + LabelHeight + Gap)));
            var (_, h, w) = PixelConversion.CheckPicture(tiles[i].Image);
            var scale = Math.Min((float)cellSize / w, (float)cellSize / h);
            var (drawnWidth, drawnHeight) = (w * scale, h * scale);
            var frame = SKRect.Create(x + ((cellSize - drawnWidth) / 2), y + ((cellSize - drawnHeight) / 2), drawnWidth, drawnHeight);
            canvas.Image(tiles[i].Image, frame);
            frame.Inflate(0.5f, 0.5f);
            canvas.Rectangle(frame, new SKColor(160, 160, 160), fill: false);
            canvas.Text(tiles[i].Label, x, y + cellSize + LabelHeight - 6, 13, cellSize, SKColors.Black, centred: true);
        }

        return canvas.ToTensor();
    }
}
