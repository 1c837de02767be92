using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>
/// An 8-bit picture being filled a band of rows at a time (1 byte a pixel for gray, 4 for colour,
/// in SkiaSharp's memory), then encoded: a picture of a very large image never exists as floats.
/// Values in [0, 1] become levels as <see cref="PixelConversion.Quantise"/> rounds them.
/// </summary>
internal sealed class PictureRows : IDisposable
{
    public PictureRows(int channels, int height, int width)
    {
        if (channels is not (1 or 3 or 4) || height <= 0 || width <= 0)
        {
            throw new ArgumentException(
                $"a picture has 1 (gray), 3 (RGB) or 4 (RGBA) channels and at least one row and column, but got {channels} channel(s) of {height}×{width}", nameof(channels));
        }

        (Channels, Height, Width) = (channels, height, width);
        var info = channels == 1
            ? new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(width, height, SKColorType.Rgba8888, channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        Bitmap = new SKBitmap(info);
    }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public SKBitmap Bitmap { get; }

    /// <summary>Rows [<paramref name="y0"/>, <paramref name="y0"/> + rows) from (C, rows, W) values in [0, 1], channel-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(int y0, int rows, ReadOnlySpan<float> picture)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, Height - y0);
        var plane = rows * Width;
        if (picture.Length < Channels * plane)
        {
            throw new ArgumentException($"{Channels}×{rows}×{Width} values are needed, but {picture.Length} were given", nameof(picture));
        }

        if (PixelLoops.FirstNonFinite(picture[..(Channels * plane)]) is var i and >= 0)
        {
            var (c, p) = Math.DivRem(i, plane);
            throw new ArgumentException(
                $"the image holds {picture[i].ToString(CultureInfo.InvariantCulture)} at channel {c}, row {y0 + (p / Width)}, column {p % Width}; only finite values can be drawn",
                nameof(picture));
        }

        var bytes = Bitmap.GetPixelSpan().Slice(y0 * Bitmap.RowBytes, rows * Bitmap.RowBytes);
        if (Channels == 1)
        {
            PixelLoops.Quantise(picture[..plane], bytes);
            return;
        }

        // Colour: each channel's levels for a run of pixels, then woven into RGBA a pixel (one
        // little-endian uint, R in its low byte) at a time.
        const int Run = 1024;
        Span<byte> levels = stackalloc byte[4 * Run];
        levels[(3 * Run)..].Fill(255); // opaque, unless the picture has alpha
        var pixels = MemoryMarshal.Cast<byte, uint>(bytes);
        for (var start = 0; start < plane; start += Run)
        {
            var count = Math.Min(Run, plane - start);
            for (var c = 0; c < Channels; c++)
            {
                PixelLoops.Quantise(picture.Slice((c * plane) + start, count), levels.Slice(c * Run, count));
            }

            var run = pixels.Slice(start, count);
            for (var p = 0; p < run.Length; p++)
            {
                run[p] = levels[p] | ((uint)levels[Run + p] << 8) | ((uint)levels[(2 * Run) + p] << 16) | ((uint)levels[(3 * Run) + p] << 24);
            }
        }
    }

    public void Dispose() => Bitmap.Dispose();
}
