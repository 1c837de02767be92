using ConvSharp.Imaging;
using ScottPlot;
using SkiaSharp;

namespace ConvSharp.Cli.Learning;

/// <summary>The loss curve as a PNG (ScottPlot), its text in the bundled font.</summary>
internal static class LossPlot
{
    /// <summary>
    /// ScottPlot asks the system for fonts, and a fresh machine may have none: every label
    /// would vanish. Route every font request to the bundled DejaVu Sans instead, once, before
    /// the first plot (the runtime runs a static constructor exactly once, thread-safely).
    /// </summary>
    static LossPlot()
    {
        Fonts.FontResolvers.Insert(0, new BundledFontResolver());
        Fonts.Default = BundledFont.FamilyName;
    }

    /// <summary>log10(loss) against epoch, as PNG bytes.</summary>
    public static byte[] Render(IReadOnlyList<float> losses, string title)
    {
        var plot = new Plot();
        var epochs = Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray();
        // Zero loss (an exact fit) has no logarithm; draw it at the float floor.
        var logLoss = losses.Select(l => Math.Log10(Math.Max(l, 1e-30))).ToArray();
        var line = plot.Add.ScatterLine(epochs, logLoss);
        line.LineWidth = 2;
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("mean squared error (log scale)");
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
        plot.Axes.Left.TickGenerator = ticks;
        return plot.GetImageBytes(800, 500, ImageFormat.Png);
    }

    private sealed class BundledFontResolver : IFontResolver
    {
        public SKTypeface CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) => BundledFont.CreateTypeface();

        public SKTypeface CreateTypeface(string fontName, bool bold, bool italic) => BundledFont.CreateTypeface();
    }
}
