namespace ConvSharp.Compute.Parallel;

/// <summary>
/// The arithmetic that keeps a call within its workspace budget by construction: buffers shared
/// by the whole call, plus one set of item buffers per work item running at once. The items in
/// flight are limited to what the budget holds (one at the least, which each algorithm's
/// <c>Fits</c> guarantees), so no thread count can push a call past the bound. All sizes are
/// footprints (<see cref="Workspace.Footprint"/>), as the pool counts them.
/// </summary>
internal static class WorkspaceBudget
{
    /// <summary>Work items that may run at once: up to <paramref name="threads"/> and <paramref name="items"/>, within the budget.</summary>
    public static int Concurrency(long budget, long shared, long perItem, int threads, long items)
    {
        var fits = perItem <= 0 ? long.MaxValue : Math.Max(0, budget - shared) / perItem;
        return (int)Math.Max(1, Math.Min(fits, Math.Min(Math.Max(threads, 1), Math.Max(items, 1))));
    }

    /// <summary>
    /// Floats a work item may hold so that <paramref name="threads"/> of them fit beside the shared
    /// buffers: what an algorithm sizes its tiles for, before <see cref="Concurrency"/> caps the rest.
    /// </summary>
    public static long PerItem(long budget, long shared, int threads) => Math.Max(0, budget - shared) / Math.Max(threads, 1);

    /// <summary>The largest n in [1, max] for which <paramref name="fits"/> holds (1 if none does); fits must hold for every n below one it holds for.</summary>
    public static int Largest(int max, Func<int, bool> fits)
    {
        var (low, high) = (1, Math.Max(max, 1));
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (fits(middle))
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }
}
