using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>(C, H, W) float tensors in [0, 1] to 8-bit bitmaps, and drawn bitmaps back (through <see cref="ImageRaster"/>).</summary>
internal static class PixelConversion
{
    /// <summary>A (C, H, W) tensor with C = 1, 3 or 4, or an (H, W) tensor, in [0, 1] to an 8-bit bitmap.</summary>
    public static SKBitmap ToBitmap(Tensor image)
    {
        var (channels, height, width) = CheckPicture(image);
        var picture = new PictureRows(channels, height, width);
        try
        {
            picture.Write(0, height, image.Contiguous().ToArray());
            return picture.Bitmap;
        }
        catch
        {
            picture.Dispose();
            throw;
        }
    }

    /// <summary>An 8-bit bitmap (any colour type) to a (3, H, W) tensor.</summary>
    public static Tensor FromBitmap(SKBitmap bitmap)
    {
        using var rgba = new SKBitmap(new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (!bitmap.CopyTo(rgba, SKColorType.Rgba8888))
        {
            throw new InvalidOperationException($"SkiaSharp could not convert a {bitmap.ColorType} bitmap to RGBA");
        }

        using var raster = ImageRaster.FromRgba(rgba.GetPixelSpan(), bitmap.Width, bitmap.Height, new ImageLoadOptions(ColorMode.Rgb, AlphaMode.OverWhite));
        return raster.ToTensor();
    }

    /// <summary>The (C, H, W) of something that can be drawn, or a clear error.</summary>
    public static (int Channels, int Height, int Width) CheckPicture(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var dims = image.Shape;
        var (channels, height, width) = dims.Length switch
        {
            2 => (1, dims[0], dims[1]),
            3 => (dims[0], dims[1], dims[2]),
            _ => (0, 0, 0),
        };
        if (channels is not (1 or 3 or 4) || height == 0 || width == 0)
        {
            throw new ArgumentException(
                $"an image is (H, W) or (C, H, W) with C = 1 (gray), 3 (RGB) or 4 (RGBA) and H, W ≥ 1, but got a tensor of size [{string.Join(", ", dims)}]",
                nameof(image));
        }

        return (channels, height, width);
    }

    /// <summary>A value in [0, 1] (clamped) as an 8-bit level, rounded to nearest.</summary>
    public static byte Quantise(float value) => (byte)MathF.Round(Math.Clamp(value, 0f, 1f) * 255f);
}
