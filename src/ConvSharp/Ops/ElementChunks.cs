using ConvSharp.Compute;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Ops;

/// <summary>
/// How element-wise work over one long run is split over threads: fixed chunks of
/// <see cref="Elements"/>, so a sum of chunk partials has the same grouping for any thread count.
/// </summary>
internal static class ElementChunks
{
    /// <summary>Elements per work item: whole cache lines, and enough work to pay for a hand-off.</summary>
    public const int Elements = 1 << 15;

    /// <summary>Whether a run of <paramref name="length"/> elements is done in one piece on the calling thread: below two chunks' worth, or with one thread.</summary>
    public static bool RunsInline(int length) => length < 2 * Elements || ConvPlanOptions.Current.Threads == 1;

    /// <summary>Runs body(start, count) over [0, length): in one piece when <see cref="RunsInline"/>, else chunk by chunk over the threads.</summary>
    public static void For(int length, Action<int, int> body)
    {
        if (RunsInline(length))
        {
            body(0, length);
            return;
        }

        ParallelRunner.For(EvenSplit.Count(length, Elements), ConvPlanOptions.Current.Threads, chunk =>
        {
            var start = chunk * Elements;
            body(start, Math.Min(Elements, length - start));
        });
    }
}
