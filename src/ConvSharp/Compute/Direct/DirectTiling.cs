using System.Numerics;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute.Direct;

/// <summary>
/// How the direct forward pass splits a call: work items are (image, channel) planes × bands of
/// output rows × runs of output columns. Each item copies its input rows, with their padding,
/// into a ring of DilatedKH rows as wide as its run of columns (plus the kernel's span), so a
/// wide image is cut into runs whose rings fit the item's share of the budget; only as many
/// items run at once as the budget holds. Runs only change which outputs an item computes, so
/// results do not depend on the budget or the thread count. A ring that would not fit even for
/// the narrowest run (a huge dilation), a stride across the row, or a row narrower than a vector
/// takes the bounds-checked scalar loop, which needs no workspace.
/// </summary>
/// <param name="Ring">whether the vector path with its ring runs</param>
/// <param name="BandRows">output rows per band</param>
/// <param name="Bands">bands per plane</param>
/// <param name="Runs">runs of columns per band, of nearly equal width</param>
/// <param name="Concurrency">work items run at once</param>
/// <param name="Floats">the workspace the call holds at the most</param>
internal readonly record struct DirectForwardTiling(bool Ring, int BandRows, int Bands, int Runs, int Concurrency, long Floats)
{
    /// <summary>Runs split off for the threads alone are at least this wide: narrower ones cost more in row copies than they gain.</summary>
    private const int MinimumParallelRun = 256;

    /// <summary>
    /// The ring is re-read for every output row and should stay in L2: rings up to 1 MB keep whole
    /// rows (a 3×3 kernel's up to 65,000 columns, a 47×47's up to 5,400), wider rows are cut into runs.
    /// </summary>
    private const int RingTargetFloats = 1 << 18;

    public static DirectForwardTiling For(ConvGeometry g, int threads, long budget)
    {
        // Enough items for the threads: about four per thread, from planes, then bands of rows, then runs of columns.
        var planes = Math.Max(1, (long)g.N * g.C);
        var wanted = Math.Max(1, ((4L * threads) + planes - 1) / planes);
        var bandRows = (int)Math.Max(1, (g.OH + wanted - 1) / wanted);
        var bands = EvenSplit.Count(g.OH, bandRows);
        var lanes = Vector<float>.Count;
        var narrowest = Math.Min(g.OW, 2 * lanes);
        if (!Vector.IsHardwareAccelerated || g.StrideW != 1 || g.OW < lanes || RingFloats(g, narrowest) > budget)
        {
            var items = planes * bands;
            return new DirectForwardTiling(false, bandRows, bands, 1, WorkspaceBudget.Concurrency(budget, 0, 0, threads, items), 0);
        }

        // The widest run whose ring fits an item's share (and L2); runs of at least two vectors, so every run holds whole vectors.
        var share = Math.Min(WorkspaceBudget.PerItem(budget, 0, threads), RingTargetFloats);
        var width = RingFloats(g, g.OW) <= share ? g.OW : Math.Max(narrowest, WorkspaceBudget.Largest(g.OW, x => RingFloats(g, x) <= share));
        var runs = EvenSplit.Count(g.OW, width);
        var more = (wanted + bands - 1) / Math.Max(bands, 1);
        runs = (int)Math.Max(runs, Math.Min(more, g.OW / MinimumParallelRun));
        runs = Math.Min(runs, g.OW / narrowest);
        var ring = RingFloats(g, EvenSplit.Widest(g.OW, runs));
        if (ring > budget)
        {
            // Runs evened out past the narrowest ring that fits (an extreme dilation): the scalar loop.
            return new DirectForwardTiling(false, bandRows, bands, 1, WorkspaceBudget.Concurrency(budget, 0, 0, threads, planes * bands), 0);
        }

        var concurrency = WorkspaceBudget.Concurrency(budget, 0, ring, threads, planes * bands * runs);
        return new DirectForwardTiling(true, bandRows, bands, runs, concurrency, concurrency * ring);
    }

    /// <summary>The footprint of the ring for a run of <paramref name="columns"/> output columns: DilatedKH rows and a row of zeros.</summary>
    private static long RingFloats(in ConvGeometry g, int columns) =>
        Workspace.Footprint((g.DilatedKH + 1L) * (columns - 1L + g.DilatedKW));
}

/// <summary>
/// How the direct weight gradient splits a call: the output is cut into tiles (bands of rows ×
/// runs of columns) whose padded input stays in L2, the tiles into chunks, and each
/// (output channel, chunk) sums its tiles in order into its own partial, then the partials are
/// added in order. Every size here comes from the shape alone, never the thread count or the
/// budget, because the tiles and chunks fix the order of the sums: results are the same bits for
/// any thread count. The partials take at most half the bound (one chunk writes straight into the
/// gradient); the tiles' bands share the rest, as many at once as fit.
/// </summary>
/// <param name="RowBands">bands of output rows, of nearly equal height</param>
/// <param name="RunColumns">output columns per run, the last run taking what is left</param>
/// <param name="ColumnRuns">runs of output columns</param>
/// <param name="Chunks">chunks of tiles per output channel, each with its own partial sum</param>
/// <param name="BandFloats">floats of one tile's padded input, the largest</param>
/// <param name="Concurrency">work items run at once</param>
/// <param name="Floats">the workspace the call holds at the most</param>
/// <param name="Fits">whether that is within the budget</param>
internal readonly record struct DirectWeightTiling(int RowBands, int RunColumns, int ColumnRuns, int Chunks, long BandFloats, int Concurrency, long Floats, bool Fits)
{
    /// <summary>Floats of padded input per tile: small enough to stay in L2.</summary>
    private const int TargetBandFloats = 1 << 15;

    public static DirectWeightTiling For(ConvGeometry g, int threads, long budget)
    {
        // Whole rows when one row's band fits the target; else nearly square tiles, around which a large
        // kernel's border costs least, and the sums over each tap run long before they are reduced.
        int rows, columns;
        if (Band(g, 1, g.OW) <= TargetBandFloats)
        {
            (rows, columns) = (WorkspaceBudget.Largest(g.OH, r => Band(g, r, g.OW) <= TargetBandFloats), g.OW);
        }
        else
        {
            var side = WorkspaceBudget.Largest(Math.Max(g.OH, g.OW), x => Band(g, Math.Min(x, g.OH), Math.Min(x, g.OW)) <= TargetBandFloats);
            rows = Math.Min(side, g.OH);
            columns = WorkspaceBudget.Largest(g.OW, x => Band(g, rows, x) <= TargetBandFloats);
        }

        // Whole vectors across a tile (the sums' scalar tail is a chain of dependent FMAs): runs of equal
        // width, a multiple of the vector, the last one taking what is left.
        var lanes = Vector<float>.Count;
        columns = columns < g.OW && columns >= lanes ? columns / lanes * lanes : columns;

        var (rowBands, columnRuns) = (EvenSplit.Count(g.OH, rows), EvenSplit.Count(g.OW, columns));
        var tiles = Math.Max(1, (long)rowBands * columnRuns);
        var band = Band(g, Math.Max(1, EvenSplit.Widest(g.OH, rowBands)), Math.Max(1, Math.Min(columns, g.OW)));

        // Chunks of tiles: as many as the partials' half of the bound holds, one partial per output channel and chunk.
        var weights = (long)g.OC * g.KH * g.KW;
        var chunks = (int)Math.Clamp(Workspace.WeightBudgetFloats / Math.Max(weights, 1), 1, tiles);
        var shared = chunks > 1 ? Workspace.Footprint(chunks * weights) : 0;
        var perItem = Workspace.Footprint(band);
        var blocks = (g.GroupOutChannels + DirectConv.ChannelBlock - 1) / DirectConv.ChannelBlock;
        var concurrency = WorkspaceBudget.Concurrency(budget, shared, perItem, threads, (long)g.C * blocks * chunks);
        var floats = shared + (concurrency * perItem);
        return new DirectWeightTiling(rowBands, columns, columnRuns, chunks, band, concurrency, floats, floats <= budget);
    }

    /// <summary>Floats of the padded input that <paramref name="rows"/> × <paramref name="columns"/> outputs read, in 64 bits (strides may be huge).</summary>
    private static long Band(in ConvGeometry g, int rows, int columns) =>
        (((rows - 1L) * g.StrideH) + g.DilatedKH) * (((columns - 1L) * g.StrideW) + g.DilatedKW);
}
