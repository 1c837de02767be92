using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute;

/// <summary>
/// How <see cref="GemmConv"/>'s forward pass splits a call to fit its budget: output channels in
/// passes whose packed weights take at most half the budget, then work items of (image, group,
/// range of output pixels), each with its packed B panel (and, for Im2colGemm, its tile of the
/// column matrix), the ranges narrowed until an item fits its share and only as many run at once
/// as the rest holds. Neither changes how a sum is ordered (the GEMM's K slices do), so results
/// do not depend on the budget or the thread count.
/// </summary>
/// <param name="RowsPerPass">output channels per group in one pass</param>
/// <param name="PixelChunk">output pixels per work item, a multiple of NR</param>
/// <param name="Concurrency">work items run at once</param>
/// <param name="Floats">the workspace the call holds at the most</param>
/// <param name="Fits">whether that is within the budget</param>
internal readonly record struct GemmForwardTiling(int RowsPerPass, int PixelChunk, int Concurrency, long Floats, bool Fits)
{
    public static GemmForwardTiling For(ConvGeometry g, ConvAlgorithm algorithm, GemmBlocking blocking, int threads, long budget)
    {
        var (m, k, pixels) = (g.GroupOutChannels, g.GroupChannels * g.KH * g.KW, g.OH * g.OW);
        var weightShare = Workspace.FloorClass(budget / 2);
        var rows = blocking.RowsPerPass(weightShare, m, k, g.Groups);
        var packed = (long)Sgemm.PackedASize(blocking, rows, k) * g.Groups;
        var shared = Workspace.Footprint(packed);

        // Enough pixel ranges for the threads, at least four register tiles wide, then halved until an item fits its share.
        var nr = blocking.NR;
        var outer = Math.Max(1, (long)g.N * g.Groups);
        var wanted = Math.Max(1, ((2L * threads) + outer - 1) / outer);
        var chunk = Math.Max((pixels + wanted - 1) / wanted, Math.Min(pixels, 4L * nr));
        chunk = Math.Max(1, (chunk + nr - 1) / nr * nr);
        var share = WorkspaceBudget.PerItem(budget, shared, threads);
        var columnTile = algorithm == ConvAlgorithm.Im2colGemm ? k : 0;
        while (chunk > nr && ItemFloats(blocking, columnTile, chunk) > share)
        {
            chunk = Math.Max(nr, chunk / 2 / nr * nr);
        }

        var item = ItemFloats(blocking, columnTile, chunk);
        var items = outer * ((pixels + chunk - 1) / chunk);
        var concurrency = WorkspaceBudget.Concurrency(budget, shared, item, threads, items);
        var floats = shared + (concurrency * item);
        return new GemmForwardTiling(rows, (int)chunk, concurrency, floats, packed <= weightShare && floats <= budget);
    }

    /// <summary>A work item's packed B panel, and its k × chunk column tile when there is one.</summary>
    private static long ItemFloats(in GemmBlocking blocking, int columnTile, long chunk) =>
        Workspace.Footprint(blocking.PackedBFloats((int)Math.Min(chunk, int.MaxValue))) + Workspace.Footprint(columnTile * chunk);
}

/// <summary>
/// How <see cref="GemmConv"/>'s weight gradient splits a call. The images are summed in chunks
/// into partial gradients (at most half the bound) and the pixels in slices, both fixed by the
/// shape alone because they order the sums; work items of (image chunk, group, range of dW's
/// columns) each hold a packed slice of dY and a packed B panel, as many at once as fit.
/// </summary>
/// <param name="ImageChunks">chunks of images, each summed into its own partial gradient</param>
/// <param name="PixelSlice">output pixels one GEMM reduces over before accumulating</param>
/// <param name="ColumnRanges">ranges of dW's columns, one per work item and chunk and group</param>
/// <param name="Concurrency">work items run at once</param>
/// <param name="Floats">the workspace the call holds at the most</param>
/// <param name="Fits">whether that is within the budget</param>
internal sealed record GemmWeightTiling(int ImageChunks, int PixelSlice, List<(int Start, int End)> ColumnRanges, int Concurrency, long Floats, bool Fits)
{
    public static GemmWeightTiling For(in ConvGeometry g, in GemmBlocking blocking, int threads, long budget)
    {
        var (m, k, pixels) = (g.GroupOutChannels, g.GroupChannels * g.KH * g.KW, g.OH * g.OW);
        var weightFloats = (long)g.OC * k;
        var imageChunks = (int)Math.Clamp(Workspace.WeightBudgetFloats / Math.Max(weightFloats, 1), 1, Math.Max(1, Math.Min(g.N, 8)));
        var shared = imageChunks > 1 ? Workspace.Footprint(imageChunks * weightFloats) : 0;
        var pixelSlice = Math.Min(Math.Max(GemmConvTiling.SliceFloats / Math.Max(blocking.PaddedRows(m), 1), blocking.NR), GemmConvTiling.PixelSlice);
        var ranges = k == 0 ? [(0, 0)] : WorkPartition.Columns(k, blocking.NR, (long)m * k * pixels * g.N / imageChunks, Math.Max(1, threads / (imageChunks * g.Groups)) + 1);
        var widest = ranges.Max(r => r.End - r.Start);
        var item = Workspace.Footprint(Sgemm.PackedASize(blocking, m, Math.Min(pixelSlice, Math.Max(pixels, 1)))) + Workspace.Footprint(blocking.PackedBFloats(widest));
        var concurrency = WorkspaceBudget.Concurrency(budget, shared, item, threads, (long)imageChunks * g.Groups * ranges.Count);
        var floats = shared + (concurrency * item);
        return new GemmWeightTiling(imageChunks, pixelSlice, ranges, concurrency, floats, floats <= budget);
    }
}

/// <summary>
/// How <see cref="GemmConv"/>'s input gradient (col2im) splits a call. Rows of Wᵀ go in passes
/// whose packed weights take at most half the bound, and dCol is computed a tile of pixels at a
/// time — both fixed by the shape alone, because the tiles are scattered into dX in order. Work
/// items are (image, group), each with its tile, and inside each the tile's columns are split
/// among inner threads, each with a packed B panel; the items and inner threads in flight are
/// limited to what the budget holds.
/// </summary>
/// <param name="RowsPerPass">column-matrix rows per pass</param>
/// <param name="PixelChunk">output pixels per tile of dCol</param>
/// <param name="Concurrency">(image, group) items run at once</param>
/// <param name="InnerThreads">threads each item splits its tile's columns among</param>
/// <param name="Floats">the workspace the call holds at the most</param>
/// <param name="Fits">whether that is within the budget</param>
internal readonly record struct GemmInputTiling(int RowsPerPass, int PixelChunk, int Concurrency, int InnerThreads, long Floats, bool Fits)
{
    public static GemmInputTiling For(ConvGeometry g, GemmBlocking blocking, int threads, long budget)
    {
        var (m, k, pixels) = (g.GroupOutChannels, g.GroupChannels * g.KH * g.KW, g.OH * g.OW);
        var rows = blocking.RowsPerPass(Workspace.WeightBudgetFloats, k, m, g.Groups);
        var packed = (long)Sgemm.PackedASize(blocking, rows, m) * g.Groups;
        var shared = Workspace.Footprint(packed);
        var nr = blocking.NR;
        var chunk = Math.Min(Math.Max(GemmConvTiling.SliceFloats / Math.Max(rows, 1) / nr * nr, nr), Math.Max(nr, pixels));
        var width = Math.Min(chunk, pixels);
        var tile = Workspace.Footprint((long)rows * width);
        var panel = Workspace.Footprint(blocking.PackedBFloats(width));

        var tasks = Math.Max(1, (long)g.N * g.Groups);
        var inner = (int)Math.Max(1, threads / tasks);
        var outer = WorkspaceBudget.Concurrency(budget, shared, tile + (inner * panel), threads, tasks);
        inner = WorkspaceBudget.Concurrency(budget, shared + (outer * tile), outer * panel, inner, inner);
        var floats = shared + (outer * (tile + (inner * panel)));
        return new GemmInputTiling(rows, chunk, outer, inner, floats, packed <= Workspace.WeightBudgetFloats && floats <= budget);
    }
}

/// <summary>The sizes <see cref="GemmConv"/>'s tilings share.</summary>
internal static class GemmConvTiling
{
    /// <summary>The most pixels one weight-gradient GEMM reduces over before accumulating (bounds packed A).</summary>
    public const int PixelSlice = 1 << 14;

    /// <summary>
    /// Floats of a slice that is reduced in order (weight-gradient pixel slices, input-gradient
    /// tiles): 1 MB, independent of the thread count so that results are too.
    /// </summary>
    public const int SliceFloats = 1 << 18;
}
