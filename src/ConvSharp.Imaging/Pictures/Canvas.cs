using SkiaSharp;

namespace ConvSharp.Imaging.Pictures;

/// <summary>A white RGBA drawing surface with the bundled font, read back as a (3, H, W) tensor.</summary>
internal sealed class Canvas : IDisposable
{
    private readonly SKBitmap _bitmap;

    public Canvas(int width, int height)
    {
        if (width <= 0 || height <= 0 || (long)width * height > ImageFile.MaxPixels)
        {
            throw new ArgumentException($"a picture of {width}×{height} pixels is too large to draw (at most {ImageFile.MaxPixels} pixels)");
        }

        _bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        Sk = new SKCanvas(_bitmap);
        Sk.Clear(SKColors.White);
    }

    public SKCanvas Sk { get; }

    /// <summary>Text in the bundled font, its left end at x, its baseline at y, shrunk (down to 8 px) and then cut with an ellipsis to fit <paramref name="maxWidth"/>.</summary>
    public void Text(string text, float x, float y, float size, float maxWidth, SKColor color, bool centred = false)
    {
        using var font = new SKFont(BundledFont.Shared, size) { Subpixel = true };
        while (font.MeasureText(text) > maxWidth && font.Size > 8)
        {
            font.Size -= 1;
        }

        while (text.Length > 1 && font.MeasureText(text) > maxWidth)
        {
            text = text[..^2] + "…";
        }

        using var paint = new SKPaint { Color = color, IsAntialias = true };
        var left = centred ? x + ((maxWidth - font.MeasureText(text)) / 2) : x;
        Sk.DrawText(text, left, y, SKTextAlign.Left, font, paint);
    }

    /// <summary>Draws a picture tensor into a rectangle: nearest-neighbour when enlarging (so kernel taps stay crisp squares), smooth when shrinking.</summary>
    public void Image(Tensor picture, SKRect destination)
    {
        using var tile = PixelConversion.ToBitmap(picture);
        using var image = SKImage.FromBitmap(tile);
        var enlarging = destination.Width >= tile.Width;
        var sampling = enlarging ? new SKSamplingOptions(SKFilterMode.Nearest) : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        Sk.DrawImage(image, destination, sampling);
    }

    public void Rectangle(SKRect rectangle, SKColor color, bool fill)
    {
        using var paint = new SKPaint { Color = color, IsStroke = !fill, StrokeWidth = 1, IsAntialias = false };
        Sk.DrawRect(rectangle, paint);
    }

    public Tensor ToTensor()
    {
        Sk.Flush();
        return PixelConversion.FromBitmap(_bitmap);
    }

    public void Dispose()
    {
        Sk.Dispose();
        _bitmap.Dispose();
    }
}
