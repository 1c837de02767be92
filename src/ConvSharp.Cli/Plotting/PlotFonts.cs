using ConvSharp.Imaging;
using ScottPlot;
using SkiaSharp;

namespace ConvSharp.Cli.Plotting;

/// <summary>
/// ScottPlot asks the system for fonts, and a fresh machine may have none: every label would
/// vanish. <see cref="UseBundled"/> routes every font request to the bundled DejaVu Sans, once,
/// before the first plot.
/// </summary>
internal static class PlotFonts
{
    private static readonly Lazy<bool> Installed = new(() =>
    {
        Fonts.FontResolvers.Insert(0, new BundledFontResolver());
        Fonts.Default = BundledFont.FamilyName;
        return true;
    });

    /// <summary>Installs the bundled font as ScottPlot's only font; later calls do nothing.</summary>
    public static void UseBundled() => _ = Installed.Value;

    private sealed class BundledFontResolver : IFontResolver
    {
        public SKTypeface CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) => BundledFont.CreateTypeface();

        public SKTypeface CreateTypeface(string fontName, bool bold, bool italic) => BundledFont.CreateTypeface();
    }
}
