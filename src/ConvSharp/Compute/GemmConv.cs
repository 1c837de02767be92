using System.Runtime.CompilerServices;
using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Im2col;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute;

/// <summary>
/// Convolution as matrix products (PyTorch's ConvolutionMM2d, MLAS's im2col path). Per image n
/// and group g, with m = OC/groups, k = (C/groups)·KH·KW and n' = OH·OW (PyTorch's mapping):
/// <list type="bullet">
/// <item>forward: Y (m × n') = W (m × k) · Col (k × n'), Col the column matrix of the image;</item>
/// <item>weight gradient: dW (m × k) = Σₙ dY (m × n') · Colᵀ (n' × k);</item>
/// <item>input gradient: dCol (k × n') = Wᵀ (k × m) · dY (m × n'), then col2im adds dCol into dX.</item>
/// </list>
/// Col is gathered straight into the GEMM's packed panels (<see cref="ConvAlgorithm.ImplicitGemm"/>),
/// materialised a bounded tile at a time (<see cref="ConvAlgorithm.Im2colGemm"/>), or is the
/// image itself for 1×1 kernels with stride 1 and no padding (<see cref="ConvAlgorithm.GemmDirect1x1"/>).
/// Work is split over images, groups and ranges of output pixels (never over k), so every output
/// element is summed in one order whatever the thread count.
/// </summary>
internal static unsafe class GemmConv
{
    /// <summary>
    /// Whether this shape's smallest tiling fits the budget with every register tile: packed
    /// weights of MR rows of depth k = (C/groups)·KH·KW per group (and of m = OC/groups for the
    /// input gradient) within half of it, and one work item's panels (and column tile) beside them.
    /// Only absurd layers (k or m·groups in the hundreds of thousands) fail; the planner then takes
    /// another algorithm.
    /// </summary>
    public static bool Fits(ConvAlgorithm algorithm, in ConvGeometry g, ConvDirection direction, long budget, out string reason)
    {
        var fits = true;
        foreach (var kernel in Enum.GetValues<GemmKernel>())
        {
            fits &= WorkspaceFloats(algorithm, g, direction, new ConvPlan(algorithm, kernel, 1) { BudgetFloats = budget }, out _);
        }

        reason = fits ? string.Empty
            : $"the GEMM's packed operands (depth {g.GroupChannels * (long)g.KH * g.KW}, {g.GroupOutChannels} rows per group, {g.Groups} groups) would not fit the {Workspace.MaxFloats * 4L >> 20} MB workspace";
        return fits;
    }

    /// <summary>The workspace this direction holds at the most for this plan.</summary>
    public static long WorkspaceFloats(in ConvGeometry g, ConvDirection direction, in ConvPlan plan)
    {
        WorkspaceFloats(plan.Algorithm, g, direction, plan, out var floats);
        return floats;
    }

    private static bool WorkspaceFloats(ConvAlgorithm algorithm, in ConvGeometry g, ConvDirection direction, in ConvPlan plan, out long floats)
    {
        var blocking = GemmBlocking.For(plan.Kernel);
        switch (direction)
        {
            case ConvDirection.Forward:
                var forward = GemmForwardTiling.For(g, algorithm, blocking, plan.Threads, plan.BudgetFloats);
                floats = forward.Floats;
                return forward.Fits;
            case ConvDirection.BackwardInput:
                var input = GemmInputTiling.For(g, blocking, plan.Threads, plan.BudgetFloats);
                floats = input.Floats;
                return input.Fits;
            default:
                var weight = GemmWeightTiling.For(g, blocking, plan.Threads, plan.BudgetFloats);
                floats = weight.Floats;
                return weight.Fits;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        // Packed weights follow the layer's size: a very large layer is done in passes over its output channels (GemmForwardTiling).
        var blocking = GemmBlocking.For(plan.Kernel);
        var tiling = GemmForwardTiling.For(g, plan.Algorithm, blocking, plan.Threads, plan.BudgetFloats);
        var m = g.GroupOutChannels;
        for (var r0 = 0; r0 < m; r0 += tiling.RowsPerPass)
        {
            ForwardRows(g, plan.Algorithm, tiling, blocking, r0, Math.Min(r0 + tiling.RowsPerPass, m), input, weight, bias, output);
        }
    }

    /// <summary>Output channels [r0, r1) of every group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows(
        in ConvGeometry g, ConvAlgorithm algorithm, GemmForwardTiling tiling, GemmBlocking blocking, int r0, int r1, float* input, float* weight, float* bias, float* output)
    {
        var (m, rows, k, pixels) = (g.GroupOutChannels, r1 - r0, g.GroupChannels * g.KH * g.KW, g.OH * g.OW);
        var packedSize = Sgemm.PackedASize(blocking, rows, k);
        using var packedWeights = Workspace.Rent((long)packedSize * g.Groups);
        var packed = packedWeights.Pointer;
        for (var group = 0; group < g.Groups; group++)
        {
            // In bounds: rows [r0, r1) of group's m × k weights, packed into this group's packedSize floats.
            Sgemm.PackA(blocking, weight + ((((nint)group * m) + r0) * k), k, 1, rows, k, packed + ((nint)group * packedSize));
        }

        // Pixel ranges in 64 bits: OH·OW may be within a chunk of int.MaxValue (an output of Array.MaxLength floats).
        var chunk = tiling.PixelChunk;
        var chunks = (int)((pixels + (long)chunk - 1) / chunk);
        var geometry = g;
        ParallelRunner.For(g.N * g.Groups * chunks, tiling.Concurrency, task =>
        {
            var (image, group, p0) = (task / chunks / geometry.Groups, task / chunks % geometry.Groups, task % chunks * chunk);
            var p1 = p0 + Math.Min(chunk, pixels - p0);

            // In bounds: source is this image's group of GroupChannels planes, c rows [r0, r1) of this group's output
            // planes, columns [p0, p1) ⊂ [0, OH·OW); packedB holds PackedBFloats(p1 − p0).
            var source = input + ((((nint)image * geometry.C) + (group * geometry.GroupChannels)) * geometry.H * geometry.W);
            var c = output + ((((nint)image * geometry.OC) + (group * m) + r0) * pixels);
            var a = packed + ((nint)group * packedSize);
            using var packedB = Workspace.Rent(blocking.PackedBFloats(p1 - p0));
            switch (algorithm)
            {
                case ConvAlgorithm.GemmDirect1x1:
                    var direct = new StridedSource(source, geometry.H * geometry.W, 1);
                    Sgemm.Compute(blocking, rows, k, a, ref direct, p0, p1, c, pixels, false, packedB.Pointer);
                    break;
                case ConvAlgorithm.ImplicitGemm:
                    var implicitColumns = new ImplicitColumnsSource(geometry, source);
                    Sgemm.Compute(blocking, rows, k, a, ref implicitColumns, p0, p1, c, pixels, false, packedB.Pointer);
                    break;
                default:
                    var width = p1 - p0;
                    // k rows of width floats (GemmForwardTiling keeps k·chunk within the item's share), seen by B from pixel p0 on.
                    using (var tile = Workspace.Rent((long)k * width))
                    {
                        for (var row = 0; row < k; row++)
                        {
                            Im2colGather.Row(geometry, source, row, p0, width, tile.Pointer + ((nint)row * width));
                        }

                        var columns = new StridedSource(tile.Pointer - p0, width, 1);
                        Sgemm.Compute(blocking, rows, k, a, ref columns, p0, p1, c, pixels, false, packedB.Pointer);
                    }

                    break;
            }

            if (bias != null)
            {
                AddBias(c, pixels, bias + ((nint)group * m) + r0, rows, p0, p1);
            }
        });
    }

    /// <summary>dW = Σₙ dY·Colᵀ. Images are summed in chunks fixed by N alone, each into its own buffer, then the chunks in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeight(in ConvGeometry g, in ConvPlan plan, float* gradOutput, float* input, float* gradWeight)
    {
        var blocking = GemmBlocking.For(plan.Kernel);
        var (m, k, pixels) = (g.GroupOutChannels, g.GroupChannels * g.KH * g.KW, g.OH * g.OW);
        var weightFloats = (long)g.OC * k;
        var tiling = GemmWeightTiling.For(g, blocking, plan.Threads, plan.BudgetFloats);
        var imageChunks = tiling.ImageChunks;
        using var partials = Workspace.Rent(imageChunks > 1 ? imageChunks * weightFloats : 0);
        var columnRanges = tiling.ColumnRanges;
        var geometry = g;
        var algorithm = plan.Algorithm;
        var partialPointer = partials.Pointer;
        // Fixed by the shape alone: slices are summed one after another, so their size sets the order of the sums.
        var pixelSlice = tiling.PixelSlice;
        ParallelRunner.For(imageChunks * g.Groups * columnRanges.Count, tiling.Concurrency, task =>
        {
            var range = columnRanges[task % columnRanges.Count];
            var group = task / columnRanges.Count % geometry.Groups;
            var chunk = task / columnRanges.Count / geometry.Groups;
            // In bounds: c is this group's m × k block of dW (or of chunk's partial copy), columns [range.Start, range.End)
            // ⊂ [0, k); dy and x are this image's group of output and input planes; pixel slices stay below OH·OW.
            var target = imageChunks > 1 ? partialPointer + (chunk * weightFloats) : gradWeight;
            var c = target + ((nint)group * m * k);
            var first = true;
            for (var image = geometry.N * chunk / imageChunks; image < geometry.N * (chunk + 1) / imageChunks; image++)
            {
                var dy = gradOutput + ((((nint)image * geometry.OC) + (group * m)) * pixels);
                var x = input + ((((nint)image * geometry.C) + (group * geometry.GroupChannels)) * geometry.H * geometry.W);
                // s0 steps by the slice it did, never past OH·OW, which may be within a slice of int.MaxValue.
                for (var s0 = 0; s0 < pixels; s0 += Math.Min(pixelSlice, pixels - s0))
                {
                    var slice = Math.Min(pixelSlice, pixels - s0);
                    using var packedA = Workspace.Rent(Sgemm.PackedASize(blocking, m, slice));
                    using var packedB = Workspace.Rent(blocking.PackedBFloats(range.End - range.Start));
                    Sgemm.PackA(blocking, dy + s0, pixels, 1, m, slice, packedA.Pointer);
                    var sliceGeometry = geometry;
                    if (algorithm == ConvAlgorithm.GemmDirect1x1)
                    {
                        var direct = new StridedSource(x + s0, 1, geometry.H * geometry.W);
                        Sgemm.Compute(blocking, m, slice, packedA.Pointer, ref direct, range.Start, range.End, c, k, !first, packedB.Pointer);
                    }
                    else
                    {
                        var columns = new OffsetTransposedColumns(new ImplicitTransposedColumnsSource(sliceGeometry, x), s0);
                        Sgemm.Compute(blocking, m, slice, packedA.Pointer, ref columns, range.Start, range.End, c, k, !first, packedB.Pointer);
                    }

                    first = false;
                }
            }

            if (first)
            {
                // An empty chunk (no images) contributes zeros.
                for (var i = 0; i < m; i++)
                {
                    new Span<float>(c + ((nint)i * k) + range.Start, range.End - range.Start).Clear();
                }
            }
        });

        if (imageChunks > 1)
        {
            var sum = new Span<float>(gradWeight, (int)weightFloats);
            new ReadOnlySpan<float>(partialPointer, (int)weightFloats).CopyTo(sum);
            for (var chunk = 1; chunk < imageChunks; chunk++)
            {
                VectorMath.AddInPlace(sum, new ReadOnlySpan<float>(partialPointer + (chunk * weightFloats), (int)weightFloats));
            }
        }
    }

    /// <summary>dX = col2im(Wᵀ·dY), a bounded tile of dCol at a time; images and groups in parallel, each tile scattered in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(in ConvGeometry g, in ConvPlan plan, float* gradOutput, float* weight, float* gradInput)
    {
        var blocking = GemmBlocking.For(plan.Kernel);
        var k = g.GroupChannels * g.KH * g.KW;
        new Span<float>(gradInput, g.N * g.C * g.H * g.W).Clear();

        // Rows of Wᵀ (column-matrix rows) per pass, so the packed weights stay within the weight budget (GemmInputTiling).
        var tiling = GemmInputTiling.For(g, blocking, plan.Threads, plan.BudgetFloats);
        for (var r0 = 0; r0 < k; r0 += tiling.RowsPerPass)
        {
            BackwardInputRows(g, tiling, blocking, r0, Math.Min(r0 + tiling.RowsPerPass, k), gradOutput, weight, gradInput);
        }
    }

    /// <summary>Adds the contribution of column-matrix rows [r0, r1) to dX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardInputRows(in ConvGeometry g, GemmInputTiling tiling, GemmBlocking blocking, int r0, int r1, float* gradOutput, float* weight, float* gradInput)
    {
        var (m, k, rows, pixels) = (g.GroupOutChannels, g.GroupChannels * g.KH * g.KW, r1 - r0, g.OH * g.OW);
        var packedSize = Sgemm.PackedASize(blocking, rows, m);
        using var packedWeights = Workspace.Rent((long)packedSize * g.Groups);
        var packed = packedWeights.Pointer;
        for (var group = 0; group < g.Groups; group++)
        {
            // A = Wᵀ rows r0..r1: A(i, j) = W[j, r0 + i], i over column-matrix rows, j over m.
            Sgemm.PackA(blocking, weight + ((nint)group * m * k) + r0, 1, k, rows, m, packed + ((nint)group * packedSize));
        }

        var tasks = g.N * g.Groups;
        // Fixed by the shape alone: tiles are scattered one after another, so their size sets the order of the sums.
        var chunk = tiling.PixelChunk;
        var innerThreads = tiling.InnerThreads;
        var geometry = g;
        ParallelRunner.For(tasks, tiling.Concurrency, task =>
        {
            var (image, group) = (task / geometry.Groups, task % geometry.Groups);
            var dy = gradOutput + ((((nint)image * geometry.OC) + (group * m)) * pixels);
            var dx = gradInput + ((((nint)image * geometry.C) + (group * geometry.GroupChannels)) * geometry.H * geometry.W);
            var a = packed + ((nint)group * packedSize);
            using var tile = Workspace.Rent((long)rows * Math.Min(chunk, pixels));

            // In bounds: the tile holds rows × width floats, dx is this image's group of input planes (col2im checks
            // every column); p0 steps by the tile it did, never past OH·OW, which may be within a tile of int.MaxValue.
            for (var p0 = 0; p0 < pixels; p0 += Math.Min(chunk, pixels - p0))
            {
                var p1 = p0 + Math.Min(chunk, pixels - p0);
                var width = p1 - p0;
                var tilePointer = tile.Pointer;
                var ranges = WorkPartition.Columns(width, blocking.NR, (long)rows * m * width, innerThreads);
                ParallelRunner.For(ranges.Count, innerThreads, r =>
                {
                    using var packedB = Workspace.Rent(blocking.PackedBFloats(ranges[r].End - ranges[r].Start));
                    var source = new StridedSource(dy + p0, pixels, 1);
                    Sgemm.Compute(blocking, rows, m, a, ref source, ranges[r].Start, ranges[r].End, tilePointer, width, false, packedB.Pointer);
                });
                for (var row = 0; row < rows; row++)
                {
                    Col2imScatter.Row(geometry, dx, r0 + row, p0, width, tilePointer + ((nint)row * width));
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddBias(float* c, int ldc, float* bias, int rows, int p0, int p1)
    {
        for (var i = 0; i < rows; i++)
        {
            VectorMath.AddInPlace(new Span<float>(c + ((nint)i * ldc) + p0, p1 - p0), bias[i]);
        }
    }

    /// <summary>The transposed column matrix seen from pixel <c>offset</c> on: GEMM row p is pixel offset + p.</summary>
    private readonly struct OffsetTransposedColumns(ImplicitTransposedColumnsSource inner, int offset) : IPanelSource
    {
        public void Pack(int k0, int kc, int j0, int nc, int nr, float* destination) =>
            inner.Pack(k0 + offset, kc, j0, nc, nr, destination);
    }
}
