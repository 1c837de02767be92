using ConvSharp.Compute;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Pooling;

/// <summary>
/// Runs a pooling kernel over ranges of planes: inline when the call is small, else in about
/// two ranges per thread (planes never share an element, so the result does not depend on the
/// split). The thread count is that of <see cref="ConvPlanOptions.Current"/>.
/// </summary>
internal static class PlaneParallel
{
    public static void For(int planes, long work, Action<int, int> body)
    {
        if (planes == 0)
        {
            return; // an empty batch
        }

        var threads = ConvPlanOptions.Current.Threads;
        var items = (int)Math.Clamp(work / WorkPartition.MinimumWorkPerItem, 1, Math.Min(planes, Math.Max(1, threads) * 2L));
        if (items <= 1)
        {
            body(0, planes);
            return;
        }

        ParallelRunner.For(items, threads, i =>
        {
            var (start, end) = EvenSplit.Part(planes, items, i);
            body(start, end);
        });
    }

    /// <summary>The elements of <paramref name="t"/> in row-major order as an array and offset: its storage when contiguous, else a copy.</summary>
    public static (float[] Data, int Offset) Contiguous(Tensor t) =>
        t.NumElements > 0 && t.IsContiguous ? (t.Storage.Data, t.Offset) : (t.ToArray(), 0);
}
