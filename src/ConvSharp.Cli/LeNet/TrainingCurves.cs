using ConvSharp.Cli.Plotting;
using ScottPlot;

namespace ConvSharp.Cli.LeNet;

/// <summary>The book's training picture (d2l's Animator in <c>train_ch6</c>): train loss, train acc and test acc against epoch, as PNG bytes.</summary>
internal static class TrainingCurves
{
    static TrainingCurves() => PlotFonts.UseBundled();

    public static byte[] Render(IReadOnlyList<EpochMetrics> epochs, string title)
    {
        var plot = new Plot();
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        Add(plot, x, epochs.Select(e => e.Loss), "train loss", LinePattern.Solid);
        Add(plot, x, epochs.Select(e => e.TrainAccuracy), "train acc", LinePattern.Dashed);
        Add(plot, x, epochs.Select(e => e.TestAccuracy), "test acc", LinePattern.Dotted);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.SetLimitsX(1, Math.Max(2, epochs.Count));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(800, 500, ImageFormat.Png);
    }

    private static void Add(Plot plot, double[] x, IEnumerable<double> y, string label, LinePattern pattern)
    {
        var line = plot.Add.ScatterLine(x, y.ToArray());
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.LegendText = label;
    }
}
