namespace ConvSharp.Compute.Parallel;

/// <summary>
/// Runs independent work items on up to <c>threads</c> threads, or inline when there is one
/// item or one thread. Items must not depend on each other: then the result does not depend
/// on which thread ran which item, and is the same for any thread count.
/// </summary>
internal static class ParallelRunner
{
    public static void For(int count, int threads, Action<int> body)
    {
        if (count <= 1 || threads <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        System.Threading.Tasks.Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}

/// <summary>How to split work into items: enough to keep the threads busy, not so many that overhead dominates.</summary>
internal static class WorkPartition
{
    /// <summary>Multiply-adds below which splitting work costs more than it saves (MLAS uses a similar threshold).</summary>
    public const long MinimumWorkPerItem = 1 << 16;

    /// <summary>Splits [0, n) into ranges aligned to <paramref name="align"/>, about two per thread when the work is large enough.</summary>
    public static List<(int Start, int End)> Columns(int n, int align, long work, int threads)
    {
        var blocks = (n + align - 1) / align;
        // Two items per thread in 64 bits: a caller may allow int.MaxValue threads (MaxDegreeOfParallelism).
        var items = (int)Math.Clamp(work / MinimumWorkPerItem, 1, Math.Min(blocks, Math.Max(1, threads) * 2L));
        var ranges = new List<(int, int)>(items);
        for (var i = 0; i < items; i++)
        {
            var start = (int)((long)blocks * i / items) * align;
            var end = Math.Min((int)((long)blocks * (i + 1) / items) * align, n);
            if (end > start)
            {
                ranges.Add((start, end));
            }
        }

        return ranges;
    }
}
