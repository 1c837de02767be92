using System.Diagnostics;
using System.Globalization;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// Where <c>convsharp apply</c>'s time goes, stage by stage, summed over every image and thread:
/// <c>--profile</c> prints it. A lap costs one clock read, so the job always keeps it.
/// </summary>
internal sealed class ApplyProfile
{
    /// <summary>The stages of one image, in the order it passes them.</summary>
    public enum Stage
    {
        /// <summary>The file read and decoded to 8 bits a channel.</summary>
        Decode,

        /// <summary>8-bit pixels to float rows, vertical border included.</summary>
        ToFloat,

        /// <summary>The convolution.</summary>
        Filter,

        /// <summary>The map's statistics (range, 99.5th percentile) and the map itself.</summary>
        Map,

        /// <summary>Floats in [0, 1] to 8-bit levels in the picture.</summary>
        Quantise,

        /// <summary>The picture compressed (PNG, JPEG, WebP) into its temporary file.</summary>
        Encode,

        /// <summary>
        /// The temporary file flushed and renamed into place; in a folder run only its hand-over
        /// to <see cref="BackgroundCommits"/>, whose flushes overlap the next images.
        /// </summary>
        Write,
    }

    private readonly long[] _ticks = new long[Enum.GetValues<Stage>().Length];
    private long _images;

    /// <summary>Now, to start a lap.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>Adds the time since <paramref name="since"/> to <paramref name="stage"/>; returns now, the next lap's start.</summary>
    public long Lap(Stage stage, long since)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _ticks[(int)stage], now - since);
        return now;
    }

    /// <summary>Counts one image done.</summary>
    public void Done() => Interlocked.Increment(ref _images);

    /// <summary>A table of milliseconds per image and shares of the total, each stage a line.</summary>
    public void Print(TextWriter writer, TimeSpan wall, int threads)
    {
        var done = Interlocked.Read(ref _images);
        var images = Math.Max(done, 1);
        var total = _ticks.Sum();
        var culture = CultureInfo.InvariantCulture;
        writer.WriteLine(string.Create(culture, $"profile: {done} image{(done == 1 ? "" : "s")}, {wall.TotalSeconds:F2} s wall on {threads} thread(s); ms per image, summed over threads"));
        foreach (var stage in Enum.GetValues<Stage>())
        {
            var ms = _ticks[(int)stage] * 1000.0 / Stopwatch.Frequency / images;
            writer.WriteLine(string.Create(culture, $"  {stage.ToString().ToLowerInvariant(),-9} {ms,8:F2} ms  {100.0 * _ticks[(int)stage] / Math.Max(total, 1),5:F1} %"));
        }

        var rest = (wall.TotalSeconds * threads * 1000.0 / images) - (total * 1000.0 / Stopwatch.Frequency / images);
        writer.WriteLine(string.Create(culture, $"  {"total",-9} {total * 1000.0 / Stopwatch.Frequency / images,8:F2} ms  (the threads' time outside the stages: {rest:F2} ms per image, for planning, progress and waiting)"));
    }
}
