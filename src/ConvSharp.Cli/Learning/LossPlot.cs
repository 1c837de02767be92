using ConvSharp.Cli.Plotting;
using ScottPlot;

namespace ConvSharp.Cli.Learning;

/// <summary>The loss curve as a PNG (ScottPlot), its text in the bundled font.</summary>
internal static class LossPlot
{
    static LossPlot() => PlotFonts.UseBundled();

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
}
