using System.Numerics;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute.Fft;

/// <summary>
/// How <see cref="FftConv"/> splits a call to fit its budget. Tiles are at most
/// <see cref="MaxTile"/> a side (a complex tile then takes 8 MB): a kernel that would need larger
/// ones is cut into blocks of at most half that, each convolved on its own and the results added
/// block after block (the order is fixed by the shape). The kernel spectra of a block go in
/// passes of output channels within half the budget; each work item holds one complex tile, and
/// only as many items run at once as the rest of the budget holds.
/// </summary>
/// <param name="BlocksH">blocks the kernel's rows are cut into</param>
/// <param name="BlocksW">blocks the kernel's columns are cut into</param>
/// <param name="Size">the tile side, a power of two</param>
/// <param name="ChannelsPerPass">output channels whose spectra one pass holds</param>
/// <param name="Concurrency">work items run at once</param>
/// <param name="Floats">the workspace the call holds at the most</param>
/// <param name="Fits">whether that is within the budget</param>
internal readonly record struct FftTiling(int BlocksH, int BlocksW, int Size, int ChannelsPerPass, int Concurrency, long Floats, bool Fits)
{
    /// <summary>The largest tile side: a complex tile of 1024² takes 8 MB, so spectra and tiles fit the bound together.</summary>
    public const int MaxTile = 1024;

    public static FftTiling For(ConvGeometry g, int threads, long budget)
    {
        var (blocksH, blocksW) = TileSize(g, g.KH, g.KW) <= MaxTile
            ? (1, 1)
            : (EvenSplit.Count(g.KH, MaxTile / 2), EvenSplit.Count(g.KW, MaxTile / 2));
        var (blockH, blockW) = (EvenSplit.Widest(g.KH, blocksH), EvenSplit.Widest(g.KW, blocksW));
        var size = TileSize(g, blockH, blockW);
        var area = (long)size * size;

        // The spectra of a pass of output channels within a power-of-two half of the budget; each item one complex tile.
        var channels = (int)Math.Clamp(Workspace.FloorClass(budget / 2) / (2 * area), 1, Math.Max(g.OC, 1));
        var shared = Workspace.Footprint(2 * channels * area);
        var perItem = Workspace.Footprint(2 * area);
        var tiles = (long)EvenSplit.Count(g.OH, size - blockH + 1) * EvenSplit.Count(g.OW, size - blockW + 1);
        var items = (long)g.N * channels * ((tiles + 1) / 2);
        var concurrency = WorkspaceBudget.Concurrency(budget, shared, perItem, threads, items);
        var floats = shared + (concurrency * perItem);
        return new FftTiling(blocksH, blocksW, size, channels, concurrency, floats, floats <= budget);
    }

    /// <summary>
    /// A power of two at least twice the kernel (block), 128 in the usual case (the best cost per
    /// output), smaller for small images, and at least the kernel.
    /// </summary>
    private static int TileSize(in ConvGeometry g, int kh, int kw)
    {
        // The planner keeps the kernel within FftConv.MaxKernel; the padded image is summed and rounded in 64 bits: it may be
        // up to int.MaxValue, or past it for the transposed problem of an input gradient (the layer's H padded by KH − 1 per side).
        var kernel = Math.Max(kh, kw);
        var size = (long)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2 * kernel, kernel <= 32 ? 128 : 256));
        var needed = (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max((long)g.H + g.PadTop + g.PadBottom, (long)g.W + g.PadLeft + g.PadRight));
        return (int)Math.Max(Math.Min(size, needed), BitOperations.RoundUpToPowerOf2((uint)kernel));
    }
}
