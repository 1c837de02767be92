using ConvSharp.Imaging;
using ScottPlot;
using SkiaSharp;

namespace ConvSharp.Cli.Learning;

/// <summary>The loss curve as a PNG (ScottPlot), its text in the bundled font.</summary>
internal static class LossPlot
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Writes log10(loss) against epoch to <paramref name="path"/>, atomically.</summary>
    public static void Save(IReadOnlyList<float> losses, string path, string title)
    {
        RegisterFont();
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
        var bytes = plot.GetImageBytes(800, 500, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// ScottPlot asks the system for fonts, and a fresh machine may have none: every label
    /// would vanish. Route every font request to the bundled DejaVu Sans instead.
    /// </summary>
    private static void RegisterFont()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            Fonts.FontResolvers.Insert(0, new BundledFontResolver());
            Fonts.Default = BundledFont.FamilyName;
            _registered = true;
        }
    }

    private sealed class BundledFontResolver : IFontResolver
    {
        public SKTypeface CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) => BundledFont.CreateTypeface();

        public SKTypeface CreateTypeface(string fontName, bool bold, bool italic) => BundledFont.CreateTypeface();
    }
}
