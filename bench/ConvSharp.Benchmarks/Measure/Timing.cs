using System.Diagnostics;

namespace ConvSharp.Benchmarks.Measure;

/// <summary>Median wall time of an action, after warm-up; calls are batched when one call is too short to time.</summary>
internal static class Timing
{
    /// <returns>median milliseconds per call</returns>
    public static double Median(Action action, int samples = 15, double minSampleMs = 2, double warmupMs = 300)
    {
        var watch = Stopwatch.StartNew();
        var calls = 0;
        do
        {
            action();
            calls++;
        }
        while (watch.Elapsed.TotalMilliseconds < warmupMs || calls < 3);

        var perCall = watch.Elapsed.TotalMilliseconds / calls;
        var batch = Math.Max(1, (int)Math.Ceiling(minSampleMs / Math.Max(perCall, 1e-6)));
        var times = new double[samples];
        for (var s = 0; s < samples; s++)
        {
            watch.Restart();
            for (var i = 0; i < batch; i++)
            {
                action();
            }

            times[s] = watch.Elapsed.TotalMilliseconds / batch;
        }

        Array.Sort(times);
        return times[samples / 2];
    }
}
