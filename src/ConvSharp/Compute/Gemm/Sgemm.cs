using System.Runtime.CompilerServices;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// Single-precision GEMM, C (=|+=) A·B, in BLIS's loop nest (BLISlab's <c>my_dgemm.c</c>):
/// A is packed once into MR-row panels (the MC loop then walks contiguous blocks of it); for
/// each NC-wide block of C's columns and each KC-deep slice of K, B is packed into NR-column
/// panels; then the micro-kernel sweeps the tile grid. The first K slice overwrites C (unless asked to accumulate), later ones add.
/// </summary>
/// <remarks>
/// Mapping: C is M×N, row-major with row stride ldc; A(i, k) and B(k, j) are read through
/// strides, so transposes cost nothing. Threads split C's columns into NR-aligned ranges; every
/// element is summed by one thread in the same order whatever the thread count, so results are
/// bitwise the same with 1 thread or many (MLAS's rule: partition outputs, never K).
/// The blocking comes from this CPU's caches (<see cref="GemmBlocking.Derive"/>); what it reaches
/// here: <c>dotnet run -c Release --project bench/ConvSharp.Benchmarks -- gemm</c>.
/// </remarks>
internal static unsafe class Sgemm
{
    /// <summary>Floats needed to hold A packed for <paramref name="blocking"/>.</summary>
    public static int PackedASize(in GemmBlocking blocking, int m, int k) => blocking.PaddedRows(m) * k;

    /// <summary>
    /// Packs A (M×K, A(i, k) = a[i·rowStride + k·columnStride]) into K slices of KC; slice p
    /// holds MR-row panels, each kc columns of MR values (rows past M zero).
    /// </summary>
    public static void PackA(in GemmBlocking blocking, float* a, nint rowStride, nint columnStride, int m, int k, float* packed) =>
        PackPanelsOfA(blocking, a, rowStride, columnStride, m, k, packed, 0, blocking.PaddedRows(m));

    /// <summary>
    /// <see cref="PackA"/> for the rows [<paramref name="firstRow"/>, <paramref name="endRow"/>)
    /// only, both multiples of MR, so threads can pack disjoint panels of one packed A.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanelsOfA(
        in GemmBlocking blocking, float* a, nint rowStride, nint columnStride, int m, int k, float* packed, int firstRow, int endRow)
    {
        var mr = blocking.MR;
        var paddedRows = blocking.PaddedRows(m);
        var depth = blocking.DepthFor(k);
        // In bounds: packed holds PaddedRows(m)·k floats, element (kk, r) of panel ir of slice pc at
        // pc·paddedRows + ir·kc + kk·mr + r, and firstRow ≤ ir < endRow ≤ paddedRows; A is read only for
        // rows i < m, columns pc + kk < k.
        for (var pc = 0; pc < k; pc += depth)
        {
            var kc = Math.Min(depth, k - pc);
            var slice = packed + ((nint)pc * paddedRows);
            for (var ir = firstRow; ir < endRow; ir += mr)
            {
                // Row by row: contiguous reads when A's rows are, strided writes within the L1-sized panel.
                var panel = slice + ((nint)ir * kc);
                for (var r = 0; r < mr; r++)
                {
                    var i = ir + r;
                    var source = a + (i * rowStride) + (pc * columnStride);
                    if (i >= m)
                    {
                        for (var kk = 0; kk < kc; kk++)
                        {
                            panel[(kk * mr) + r] = 0f;
                        }
                    }
                    else
                    {
                        for (var kk = 0; kk < kc; kk++)
                        {
                            panel[(kk * mr) + r] = source[kk * columnStride];
                        }
                    }
                }
            }
        }
    }

    /// <summary>Columns [j0, j1) of C (=|+=) packed A · B, on the calling thread.</summary>
    /// <param name="blocking">the kernel and its blocking; A must have been packed with it</param>
    /// <param name="m">rows of C</param>
    /// <param name="k">the inner dimension</param>
    /// <param name="packedA">A from <see cref="PackA"/></param>
    /// <param name="b">the source of B</param>
    /// <param name="j0">first column of C to compute</param>
    /// <param name="j1">one past the last column</param>
    /// <param name="c">C, row-major</param>
    /// <param name="ldc">row stride of C</param>
    /// <param name="accumulate">add to C instead of overwriting it</param>
    /// <param name="packedB">scratch of <see cref="GemmBlocking.PackedBFloats"/> floats</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute<TSource>(
        in GemmBlocking blocking, int m, int k, float* packedA, ref TSource b, int j0, int j1,
        float* c, nint ldc, bool accumulate, float* packedB)
        where TSource : struct, IPanelSource
    {
        switch (blocking.Kernel)
        {
            case GemmKernel.Avx512:
                Compute<MicroKernelAvx512x6x64, TSource>(blocking, m, k, packedA, ref b, j0, j1, c, ldc, accumulate, packedB);
                break;
            case GemmKernel.Avx2:
                Compute<MicroKernelAvx2x6x16, TSource>(blocking, m, k, packedA, ref b, j0, j1, c, ldc, accumulate, packedB);
                break;
            case GemmKernel.AdvSimd:
                Compute<MicroKernelAdvSimd6x16, TSource>(blocking, m, k, packedA, ref b, j0, j1, c, ldc, accumulate, packedB);
                break;
            case GemmKernel.Vector128:
                Compute<MicroKernelVector128x6x8, TSource>(blocking, m, k, packedA, ref b, j0, j1, c, ldc, accumulate, packedB);
                break;
            default:
                Compute<MicroKernelScalar, TSource>(blocking, m, k, packedA, ref b, j0, j1, c, ldc, accumulate, packedB);
                break;
        }
    }

    /// <summary>C (=|+=) A·B for strided A and B, packing A itself and splitting C's columns over threads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(
        GemmKernel kernel, int m, int n, int k,
        float* a, nint aRowStride, nint aColumnStride,
        float* b, nint bRowStride, nint bColumnStride,
        float* c, nint ldc, bool accumulate, int threads)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++)
                {
                    new Span<float>(c + (i * ldc), n).Clear();
                }
            }

            return;
        }

        var blocking = GemmBlocking.For(kernel);

        // A is packed a block of rows at a time, so the packed copy stays within the workspace's
        // weight budget whatever M·K is; each element of C still sums the same K slices in order.
        var rowsPerPass = blocking.RowsPerPass(Workspace.WeightBudgetFloats, m, k);
        using var packedA = Workspace.Rent(PackedASize(blocking, rowsPerPass, k));
        var packedAPointer = packedA.Pointer;
        for (var r0 = 0; r0 < m; r0 += rowsPerPass)
        {
            var rows = Math.Min(rowsPerPass, m - r0);
            var source = a + (r0 * aRowStride);
            var panels = WorkPartition.Columns(blocking.PaddedRows(rows), blocking.MR, (long)rows * k / 2, threads);
            ParallelRunner.For(panels.Count, threads, part =>
                PackPanelsOfA(blocking, source, aRowStride, aColumnStride, rows, k, packedAPointer, panels[part].Start, panels[part].End));
            var block = c + (r0 * ldc);
            var chunks = WorkPartition.Columns(n, blocking.NR, (long)rows * n * k, threads);
            ParallelRunner.For(chunks.Count, threads, chunk =>
            {
                var (j0, j1) = chunks[chunk];
                using var packedB = Workspace.Rent(blocking.PackedBFloats(j1 - j0));
                var columns = new StridedSource(b, bRowStride, bColumnStride);
                Compute(blocking, rows, k, packedAPointer, ref columns, j0, j1, block, ldc, accumulate, packedB.Pointer);
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Compute<TKernel, TSource>(
        in GemmBlocking blocking, int m, int k, float* packedA, ref TSource b, int j0, int j1,
        float* c, nint ldc, bool accumulate, float* packedB)
        where TKernel : struct, IMicroKernel
        where TSource : struct, IPanelSource
    {
        var mr = TKernel.MR;
        var nr = TKernel.NR;
        var paddedRows = blocking.PaddedRows(m);
        var depth = blocking.DepthFor(k);
        var edge = stackalloc float[TKernel.MR * TKernel.NR]; // a fixed tile, at most 6×64 floats

        // jc steps by the block it did, never past j1: j1 may be within NC of int.MaxValue (an output of
        // OH·OW ≈ Array.MaxLength pixels), where jc + NC would wrap and the loop never end.
        for (var jc = j0; jc < j1; jc += Math.Min(blocking.NC, j1 - jc))
        {
            // Loop 5: over C's columns by NC.
            var nc = Math.Min(blocking.NC, j1 - jc);
            for (var pc = 0; pc < k; pc += depth)
            {
                // Loop 4: over K by KC (evened out: see DepthFor); pack the KC×NC block of B.
                var kc = Math.Min(depth, k - pc);
                b.Pack(pc, kc, jc, nc, nr, packedB);
                var add = accumulate || pc > 0;
                var slice = packedA + ((nint)pc * paddedRows);
                for (var ic = 0; ic < m; ic += blocking.MC)
                {
                    // Loop 3: over C's rows by MC; this block of packed A stays in L2.
                    var rowsEnd = Math.Min(ic + blocking.MC, m);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        // Loop 2: over the block's columns by NR; this B panel stays in L1.
                        var width = Math.Min(nr, nc - jr);
                        var bPanel = packedB + ((nint)jr * kc);
                        for (var ir = ic; ir < rowsEnd; ir += mr)
                        {
                            // Loop 1: over the block's rows by MR: one micro-kernel call per tile.
                            var height = Math.Min(mr, m - ir);
                            var aPanel = slice + ((nint)ir * kc);
                            // In bounds: aPanel is kc·MR floats of packed A (ir < m), bPanel kc·NR of packed B (jr < nc, and
                            // packedB holds PackedBFloats(j1 − j0) ≥ ⌈nc / NR⌉ panels of kc ≤ KC rows); a whole tile's MR rows
                            // and NR columns lie in C's m rows and [j0, j1), a partial one is computed into edge and copied.
                            var tile = c + (ir * ldc) + jc + jr;
                            if (height == mr && width == nr)
                            {
                                TKernel.Run(kc, aPanel, bPanel, tile, ldc, add);
                            }
                            else
                            {
                                // A partial tile: compute it whole into a scratch tile, copy the valid part.
                                TKernel.Run(kc, aPanel, bPanel, edge, nr, accumulate: false);
                                for (var i = 0; i < height; i++)
                                {
                                    for (var j = 0; j < width; j++)
                                    {
                                        tile[(i * ldc) + j] = add ? tile[(i * ldc) + j] + edge[(i * nr) + j] : edge[(i * nr) + j];
                                    }
                                }
                            }
                        } // loop 1
                    } // loop 2
                } // loop 3
            } // loop 4
        } // loop 5
    }
}
