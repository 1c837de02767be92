using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>
/// DejaVu Sans (free licence, <c>Fonts/LICENSE-DejaVu.txt</c>), shipped inside this assembly so
/// that labels render on a machine with no fonts installed. Skia falls back to an empty
/// typeface there, and text silently disappears.
/// </summary>
public static class BundledFont
{
    /// <summary>The family name the font reports.</summary>
    public const string FamilyName = "DejaVu Sans";

    private static readonly Lazy<byte[]> FontBytes = new(ReadResource);

    /// <summary>A new typeface of the bundled font; the caller owns it.</summary>
    public static SKTypeface CreateTypeface()
    {
        using var data = SKData.CreateCopy(FontBytes.Value);
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException("SkiaSharp could not read the bundled DejaVu Sans font");
    }

    /// <summary>The shared typeface for ConvSharp's own pictures.</summary>
    internal static SKTypeface Shared => SharedTypeface.Value;

    private static readonly Lazy<SKTypeface> SharedTypeface = new(CreateTypeface);

    private static byte[] ReadResource()
    {
        const string name = "ConvSharp.Imaging.DejaVuSans.ttf";
        using var stream = typeof(BundledFont).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the resource {name} is missing from {typeof(BundledFont).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
