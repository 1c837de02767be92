using System.Globalization;
using SkiaSharp;

namespace ConvSharp.Imaging.Pictures;

/// <summary>A kernel as a picture: one square per tap on the signed colour map, with its value written in it when there is room.</summary>
public static class KernelPicture
{
    private const int Margin = 12;
    private const int TitleHeight = 30;
    private const int FooterHeight = 24;

    /// <summary>
    /// Draws a 2-D kernel (KH, KW): negative taps blue, zero white, positive red, scaled by the
    /// largest |tap| (written under the picture), each tap's value in its square when squares
    /// are large enough to hold it. Returns a (3, H, W) tensor for <see cref="ImageFile.Save"/>.
    /// </summary>
    public static Tensor Render(Tensor kernel, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Rank != 2 || kernel.Shape.Any(d => d == 0))
        {
            throw new ArgumentException($"a kernel picture takes a 2-D kernel (KH, KW), but got size [{string.Join(", ", kernel.Shape)}]", nameof(kernel));
        }

        var (kh, kw) = (kernel.Shape[0], kernel.Shape[1]);
        var taps = kernel.Contiguous().ToArray();
        if (Array.FindIndex(taps, t => !float.IsFinite(t)) is var bad and >= 0)
        {
            throw new ArgumentException($"the kernel holds {taps[bad].ToString(CultureInfo.InvariantCulture)} at [{bad / kw}, {bad % kw}]; only finite kernels can be drawn", nameof(kernel));
        }

        var cell = Math.Clamp(480 / Math.Max(kh, kw), 4, 72);
        var writeValues = cell >= 40;
        var scale = taps.Max(MathF.Abs);
        var top = title is null ? Margin : TitleHeight + Margin;
        var width = Math.Max((2 * Margin) + (kw * cell), 240);
        var height = top + (kh * cell) + FooterHeight + Margin;
        using var canvas = new Canvas(width, height);
        if (title is not null)
        {
            canvas.Text(title, Margin, TitleHeight - 6, 17, width - (2 * Margin), SKColors.Black);
        }

        var left = (width - (kw * cell)) / 2f;
        for (var a = 0; a < kh; a++)
        {
            for (var b = 0; b < kw; b++)
            {
                var t = scale > 0 ? taps[(a * kw) + b] / scale : 0f;
                var (r, g, bl) = Display.SignedColor(t);
                var square = SKRect.Create(left + (b * cell), top + (a * cell), cell, cell);
                canvas.Rectangle(square, new SKColor(PixelConversion.Quantise(r), PixelConversion.Quantise(g), PixelConversion.Quantise(bl)), fill: true);
                if (writeValues)
                {
                    var ink = Math.Abs(t) > 0.6f ? SKColors.White : SKColors.Black;
                    // A tap ten thousand times smaller than the largest is noise in a learned kernel: write 0.
                    var tap = taps[(a * kw) + b];
                    var text = MathF.Abs(tap) < 1e-4f * scale ? "0" : Format(tap);
                    canvas.Text(text, square.Left + 2, square.MidY + 5, 14, cell - 4, ink, centred: true);
                }
            }
        }

        canvas.Rectangle(SKRect.Create(left - 0.5f, top - 0.5f, (kw * cell) + 1, (kh * cell) + 1), new SKColor(120, 120, 120), fill: false);
        var legend = $"{kh}×{kw}   blue −{Format(scale)}   white 0   red +{Format(scale)}";
        canvas.Text(legend, Margin, top + (kh * cell) + FooterHeight - 4, 13, width - (2 * Margin), new SKColor(60, 60, 60), centred: true);
        return canvas.ToTensor();
    }

    private static string Format(float value) => value.ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
}
