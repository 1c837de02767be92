using System.Globalization;
using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>8-bit RGBA pixels to (C, H, W) float tensors in [0, 1], and back.</summary>
internal static class PixelConversion
{
    /// <summary>Unpremultiplied RGBA bytes, row-major, to a (C, H, W) tensor as the options ask.</summary>
    public static Tensor ToTensor(ReadOnlySpan<byte> rgba, int width, int height, ImageLoadOptions options)
    {
        var pixels = width * height;
        bool gray = true, opaque = true;
        for (var p = 0; p < pixels && (gray || opaque); p++)
        {
            var (r, g, b, a) = (rgba[4 * p], rgba[(4 * p) + 1], rgba[(4 * p) + 2], rgba[(4 * p) + 3]);
            gray &= r == g && g == b;
            opaque &= a == 255;
        }

        var colorChannels = options.Color switch
        {
            ColorMode.Gray => 1,
            ColorMode.Rgb => 3,
            _ => gray ? 1 : 3,
        };
        var keepAlpha = options.Alpha == AlphaMode.Keep && !opaque;
        var channels = colorChannels + (keepAlpha ? 1 : 0);
        var data = new float[(long)channels * pixels];
        var background = options.Alpha == AlphaMode.OverWhite ? 1f : 0f;
        var composite = !opaque && options.Alpha is AlphaMode.OverWhite or AlphaMode.OverBlack;
        for (var p = 0; p < pixels; p++)
        {
            // Divided, not multiplied by 1/255: the same floats as NumPy's and PyTorch's x / 255.
            var r = rgba[4 * p] / 255f;
            var g = rgba[(4 * p) + 1] / 255f;
            var b = rgba[(4 * p) + 2] / 255f;
            var a = rgba[(4 * p) + 3] / 255f;
            if (composite)
            {
                (r, g, b) = (Over(r, a, background), Over(g, a, background), Over(b, a, background));
            }

            if (colorChannels == 1)
            {
                data[p] = gray && options.Color == ColorMode.Auto ? r : (0.299f * r) + (0.587f * g) + (0.114f * b);
            }
            else
            {
                data[p] = r;
                data[pixels + p] = g;
                data[(2 * pixels) + p] = b;
            }

            if (keepAlpha)
            {
                data[(colorChannels * pixels) + p] = a;
            }
        }

        return Tensor.FromArray(data, channels, height, width);
    }

    private static float Over(float color, float alpha, float background) => (color * alpha) + (background * (1f - alpha));

    /// <summary>A (C, H, W) tensor with C = 1, 3 or 4, or an (H, W) tensor, in [0, 1] to an 8-bit bitmap.</summary>
    public static SKBitmap ToBitmap(Tensor image)
    {
        var (channels, height, width) = CheckPicture(image);
        var data = image.Contiguous().ToArray();
        var pixels = width * height;
        for (var i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
            {
                var (c, p) = Math.DivRem(i, pixels);
                throw new ArgumentException(
                    $"the image holds {data[i].ToString(CultureInfo.InvariantCulture)} at channel {c}, row {p / width}, column {p % width}; only finite values can be drawn", nameof(image));
            }
        }

        if (channels == 1)
        {
            var grayBitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
            var bytes = grayBitmap.GetPixelSpan();
            for (var p = 0; p < pixels; p++)
            {
                bytes[p] = Quantise(data[p]);
            }

            return grayBitmap;
        }

        var alphaType = channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque;
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, alphaType));
        var rgba = bitmap.GetPixelSpan();
        for (var p = 0; p < pixels; p++)
        {
            rgba[4 * p] = Quantise(data[p]);
            rgba[(4 * p) + 1] = Quantise(data[pixels + p]);
            rgba[(4 * p) + 2] = Quantise(data[(2 * pixels) + p]);
            rgba[(4 * p) + 3] = channels == 4 ? Quantise(data[(3 * pixels) + p]) : (byte)255;
        }

        return bitmap;
    }

    /// <summary>An 8-bit bitmap (any colour type) to a (3, H, W) tensor.</summary>
    public static Tensor FromBitmap(SKBitmap bitmap)
    {
        using var rgba = new SKBitmap(new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (!bitmap.CopyTo(rgba, SKColorType.Rgba8888))
        {
            throw new InvalidOperationException($"SkiaSharp could not convert a {bitmap.ColorType} bitmap to RGBA");
        }

        return ToTensor(rgba.GetPixelSpan(), bitmap.Width, bitmap.Height, new ImageLoadOptions(ColorMode.Rgb, AlphaMode.OverWhite));
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
