using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute.Winograd;

/// <summary>
/// How <see cref="Winograd4x3"/> splits a call to fit its budget. Output channels go in passes
/// whose transformed filters take at most half the budget; the rest holds the work items, each a
/// rectangle of 4×4 output tiles (whole tile rows when they fit, else a run of columns of one
/// tile row) with its transformed inputs, products, packed panel and scratch, and only as many
/// items run at once as fit. The rectangles only change which outputs an item computes, never
/// how a sum is ordered, so results do not depend on the budget or the thread count.
/// </summary>
/// <param name="ChannelsPerPass">output channels per group in one pass</param>
/// <param name="BandRows">tile rows per work item</param>
/// <param name="BandColumns">tile columns per work item</param>
/// <param name="Concurrency">work items run at once</param>
/// <param name="Floats">the workspace the call holds at the most</param>
/// <param name="Fits">whether that is within the budget</param>
internal readonly record struct WinogradTiling(int ChannelsPerPass, int BandRows, int BandColumns, int Concurrency, long Floats, bool Fits)
{
    public const int Points = 36;

    /// <summary>The tiling of a call over <paramref name="phases"/> phases of geometry <paramref name="g"/> (one for an undilated kernel).</summary>
    public static WinogradTiling For(ConvGeometry g, int phases, GemmBlocking blocking, int threads, long budget)
    {
        var (m, c) = (Math.Max(g.GroupOutChannels, 1), Math.Max(g.GroupChannels, 1));
        var (tilesH, tilesW) = (Math.Max(1, (g.OH + 3) / 4), Math.Max(1, (g.OW + 3) / 4));
        var images = Math.Max(1, (long)g.N * phases * g.Groups);

        // Output channels per pass: their packed transformed filters within a power-of-two half of the budget.
        var weightShare = Workspace.FloorClass(budget / 2);
        var perChannel = (long)Points * g.Groups * c;
        var channels = (int)Math.Clamp(weightShare / perChannel / blocking.MR * blocking.MR, Math.Min(blocking.MR, m), m);
        var packed = (long)g.Groups * Points * Sgemm.PackedASize(blocking, channels, c);
        var shared = Workspace.Footprint(packed);
        var transforming = shared + Workspace.Footprint((long)Points * channels * c);

        // Work items: whole tile rows in bands if one row fits an item's share of the budget, else runs of one row's columns.
        var perItem = WorkspaceBudget.PerItem(budget, shared, threads);
        int rows, columns;
        if (ItemFloats(g, blocking, channels, 1, tilesW) <= perItem)
        {
            columns = tilesW;
            rows = WorkspaceBudget.Largest(tilesH, r => ItemFloats(g, blocking, channels, r, tilesW) <= perItem);
            var wanted = Math.Max(1, ((2L * threads) + images - 1) / images);
            rows = (int)Math.Max(1, Math.Min(rows, (tilesH + wanted - 1) / wanted));
        }
        else
        {
            rows = 1;
            columns = WorkspaceBudget.Largest(tilesW, x => ItemFloats(g, blocking, channels, 1, x) <= perItem);
        }

        var item = ItemFloats(g, blocking, channels, rows, columns);
        var items = images * ((tilesH + rows - 1) / rows) * ((tilesW + columns - 1) / columns);
        var concurrency = WorkspaceBudget.Concurrency(budget, shared, item, threads, items);
        var floats = Math.Max(transforming, shared + (concurrency * item));
        var fits = packed <= weightShare && floats <= budget;
        return new WinogradTiling(channels, rows, columns, concurrency, floats, fits);
    }

    /// <summary>
    /// Scratch floats: the input transform's 6 padded and 6 transformed rows of one tile row and
    /// 24 item-long de-interleaved columns; the output transform's 24 + 16 item-long rows.
    /// </summary>
    public static long ScratchFloats(int columns, long count) => (12L * ((4L * columns) + 2 + 16)) + (40 * (count + 16));

    /// <summary>Tiles an item of <paramref name="rows"/> × <paramref name="columns"/> tiles computes, with one spare column per tile row.</summary>
    public static long Count(int rows, int columns) => (long)rows * (columns + 1);

    /// <summary>The footprint of one work item's buffers.</summary>
    private static long ItemFloats(in ConvGeometry g, in GemmBlocking blocking, int channels, int rows, int columns)
    {
        var count = Count(rows, columns);
        return Workspace.Footprint(Points * g.GroupChannels * count) + Workspace.Footprint(Points * channels * count) +
            Workspace.Footprint(blocking.PackedBFloats((int)Math.Min(count, int.MaxValue))) + Workspace.Footprint(ScratchFloats(columns, count));
    }
}
