using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ConvSharp.Compute.Im2col;

/// <summary>
/// Reads rows of the (virtual) column matrix of one image and group: row k = (c, kh, kw) holds,
/// for each output pixel p = (oh, ow), the input value at
/// (c, oh·StrideH − PadTop + kh·DilationH, ow·StrideW − PadLeft + kw·DilationW), or 0 in the
/// padding. A run of pixels in one output row reads one input row, contiguously when the
/// stride is 1, so the copy is a span copy plus zeros at the borders.
/// </summary>
internal static unsafe class Im2colGather
{
    /// <summary>Writes row <paramref name="k"/>, pixels [p0, p0 + count), to <paramref name="destination"/>.</summary>
    /// <param name="g">the geometry</param>
    /// <param name="image">this image's group: GroupChannels planes of H×W</param>
    /// <param name="k">row of the column matrix: (c·KH + kh)·KW + kw</param>
    /// <param name="p0">first output pixel</param>
    /// <param name="count">pixels to write</param>
    /// <param name="destination">count floats</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(in ConvGeometry g, float* image, int k, int p0, int count, float* destination)
    {
        // The callers keep k < (C/groups)·KH·KW and p0 + count ≤ OH·OW: c is a plane of this group, every oh < OH and
        // ow < OW, so ih and iw0 are window indices that fit an int (ConvGeometry), and count floats are written.
        var kw = k % g.KW;
        var kh = k / g.KW % g.KH;
        var c = k / (g.KW * g.KH);
        var plane = image + ((nint)c * g.H * g.W);
        var oh = p0 / g.OW;
        var ow = p0 % g.OW;
        while (count > 0)
        {
            var run = Math.Min(count, g.OW - ow);
            var ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
            if ((uint)ih >= (uint)g.H)
            {
                new Span<float>(destination, run).Clear();
            }
            else
            {
                var row = plane + ((nint)ih * g.W);
                var iw0 = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                if (g.StrideW == 1)
                {
                    // Columns j with 0 ≤ iw0 + j < W are inside; the rest is padding. In bounds: the copy
                    // reads [iw0 + first, iw0 + last) ⊂ [0, W) of row ih ∈ [0, H), first ≤ last ≤ run.
                    var first = Math.Clamp(-iw0, 0, run);
                    var last = Math.Clamp(g.W - iw0, first, run);
                    new Span<float>(destination, first).Clear();
                    new ReadOnlySpan<float>(row + iw0 + first, last - first).CopyTo(new Span<float>(destination + first, last - first));
                    new Span<float>(destination + last, run - last).Clear();
                }
                else
                {
                    // Strided: the columns whose reads fall inside the row, without checks, then the edges.
                    // first = ⌈−iw0 / s⌉ and last = ⌊(W − 1 − iw0) / s⌋ + 1, in 64 bits: a stride near
                    // int.MaxValue must not wrap them (iw0 ≥ −PadLeft and W − 1 − iw0 ≤ padded width).
                    var first = (int)Math.Clamp((-(long)iw0 + g.StrideW - 1) / g.StrideW, 0, run);
                    var last = g.W - 1 - iw0 < 0 ? first : (int)Math.Clamp(((g.W - 1L - iw0) / g.StrideW) + 1, first, run);

                    for (var j = 0; j < first; j++)
                    {
                        destination[j] = 0f;
                    }

                    // In bounds: for first ≤ j < last, 0 ≤ iw0 + j·s < W, so j·s < W − iw0 fits an int too.
                    var source = row + iw0;
                    for (var j = first; j < last; j++)
                    {
                        destination[j] = source[j * g.StrideW];
                    }

                    for (var j = last; j < run; j++)
                    {
                        destination[j] = 0f;
                    }
                }
            }

            destination += run;
            count -= run;
            ow = 0;
            oh++;
        }
    }
    /// <summary>
    /// Writes row <paramref name="k"/>, pixels [p0, p0 + count), straight into the GEMM's packed
    /// layout: pixel p0 + q goes to panel q / nr, column q % nr, so panel i's copy of this row
    /// starts at destination + i·panelStride. Runs of pixels in one output row are copied in
    /// pieces that end at panel boundaries, whole vectors where they can.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowIntoPanels(in ConvGeometry g, float* image, int k, int p0, int count, float* destination, nint panelStride, int nr)
    {
        // As in Row: k, p0 and count from the caller keep c, oh and ow inside the geometry.
        var kw = k % g.KW;
        var kh = k / g.KW % g.KH;
        var c = k / (g.KW * g.KH);
        var plane = image + ((nint)c * g.H * g.W);
        var oh = p0 / g.OW;
        var ow = p0 % g.OW;
        var q = 0;
        // Where q lands: column `column` of the panel at `panel`, tracked as q advances (a division per piece cost
        // more than the copy on LeNet's 10-pixel rows).
        var panel = destination;
        var column = 0;
        while (q < count)
        {
            var run = Math.Min(count - q, g.OW - ow);
            var ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
            var row = (uint)ih < (uint)g.H ? plane + ((nint)ih * g.W) : null;
            var iw = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
            var end = q + run;
            while (q < end)
            {
                // One piece: up to the end of the run or of the current panel.
                var piece = Math.Min(end - q, nr - column);
                // target: panel q / nr of ⌈count / nr⌉, columns [column, column + piece) with column + piece ≤ nr.
                var target = panel + column;
                if (row != null && g.StrideW == 1 && iw >= 0 && iw + piece <= g.W)
                {
                    // In bounds: columns [iw, iw + piece) ⊂ [0, W), vectors included (j + V ≤ piece). iw + piece − 1
                    // is the column of a valid output pixel (stride 1), so iw + piece cannot wrap.
                    var source = row + iw;
                    var j = 0;
                    for (; j + Vector<float>.Count <= piece; j += Vector<float>.Count)
                    {
                        Unsafe.WriteUnaligned(target + j, Unsafe.ReadUnaligned<Vector<float>>(source + j));
                    }

                    for (; j < piece; j++)
                    {
                        target[j] = source[j];
                    }
                }
                else if (row != null && iw >= 0 && iw + ((piece - 1L) * g.StrideW) < g.W)
                {
                    // Strided and inside the row: no checks; stride 2 a vector at a time (EvensOf). In bounds: the last
                    // read iw + (piece − 1)·s < W was checked in 64 bits, and EvensOf's loads end below W.
                    var source = row + iw;
                    var s = g.StrideW;
                    var j = 0;
                    if (s == 2)
                    {
                        j = EvensOf(source, iw, g.W, target, piece);
                    }

                    for (; j < piece; j++)
                    {
                        target[j] = source[j * s];
                    }
                }
                else
                {
                    // Every read checked; iw + j·s is the column of a valid output pixel, so it fits an int.
                    for (var j = 0; j < piece; j++)
                    {
                        var x = iw + (j * g.StrideW);
                        target[j] = row != null && (uint)x < (uint)g.W ? row[x] : 0f;
                    }
                }

                q += piece;
                column += piece;
                if (column == nr)
                {
                    panel += panelStride;
                    column = 0;
                }

                // The next piece's column; after a run's last piece it may wrap, unused: the next run recomputes iw.
                iw += piece * g.StrideW;
            }

            ow = 0;
            oh++;
        }
    }

    /// <summary>
    /// target[j] = source[2j] for the leading j that whole vectors cover, returning that j: AVX2
    /// permutes eight at a time, SSE and NEON pick the even lanes of two 128-bit loads four at a time.
    /// </summary>
    /// <remarks>In bounds: every load ends at or below column <paramref name="width"/> of the row
    /// (iw + 2j + 2·lanes ≤ width), and target takes j &lt; <paramref name="piece"/> values.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int EvensOf(float* source, int iw, int width, float* target, int piece)
    {
        var j = 0;
        if (Avx2.IsSupported)
        {
            var evens = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
            for (; j + 8 <= piece && iw + (2L * j) + 16 <= width; j += 8)
            {
                var low = Avx2.PermuteVar8x32(Avx.LoadVector256(source + (2 * j)), evens);
                var high = Avx2.PermuteVar8x32(Avx.LoadVector256(source + (2 * j) + 8), evens);
                Avx.Store(target + j, Avx.Permute2x128(low, high, 0x20));
            }
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            for (; j + 4 <= piece && iw + (2L * j) + 8 <= width; j += 4)
            {
                AdvSimd.Store(target + j, AdvSimd.Arm64.UnzipEven(AdvSimd.LoadVector128(source + (2 * j)), AdvSimd.LoadVector128(source + (2 * j) + 4)));
            }
        }
        else if (Sse.IsSupported)
        {
            for (; j + 4 <= piece && iw + (2L * j) + 8 <= width; j += 4)
            {
                Sse.Store(target + j, Sse.Shuffle(Sse.LoadVector128(source + (2 * j)), Sse.LoadVector128(source + (2 * j) + 4), 0b10_00_10_00));
            }
        }

        return j;
    }
}


/// <summary>
/// Implicit GEMM's B operand for the forward pass: B(k, p) = column matrix (k, p), gathered
/// straight into the packed panels from the image; no column matrix is ever stored.
/// </summary>
internal readonly unsafe struct ImplicitColumnsSource(ConvGeometry g, float* image) : Gemm.IPanelSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int k0, int kc, int j0, int nc, int nr, float* destination)
    {
        // destination holds ⌈nc / nr⌉ panels of kc·nr floats (GemmBlocking.PackedBFloats: kc ≤ KC, nc ≤ NC).
        var panelStride = (nint)kc * nr;
        for (var k = 0; k < kc; k++)
        {
            Im2colGather.RowIntoPanels(g, image, k0 + k, j0, nc, destination + ((nint)k * nr), panelStride, nr);
        }

        var width = nc % nr;
        if (width != 0)
        {
            // The last panel's columns past nc are zero.
            var last = destination + ((nint)(nc / nr) * panelStride);
            for (var k = 0; k < kc; k++)
            {
                new Span<float>(last + ((nint)k * nr) + width, nr - width).Clear();
            }
        }
    }
}

/// <summary>
/// The weight gradient's B operand: B(p, k) = column matrix (k, p), the transposed column
/// matrix, gathered from the image; the GEMM's K runs over output pixels. Eight column-matrix
/// rows at a time are gathered into a small tile (contiguous copies along the pixels), which
/// 8×8 transposes then write into the panels (each panel row holds NR consecutive k).
/// </summary>
internal readonly unsafe struct ImplicitTransposedColumnsSource(ConvGeometry g, float* image) : Gemm.IPanelSource
{
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int k0, int kc, int j0, int nc, int nr, float* destination)
    {
        // Rows of B are pixels k0..k0+kc, columns are column-matrix rows j0..j0+nc.
        const int Chunk = 256;
        var tile = stackalloc float[8 * (Chunk + 8)]; // a fixed 8.25 KB, whatever the shape
        var stride = Chunk + 8;
        for (var jp = 0; jp < nc; jp += 8)
        {
            var rows = Math.Min(8, nc - jp);
            var panel = destination + ((nint)(jp / nr * nr) * kc);
            var column = jp % nr;
            for (var p = 0; p < kc; p += Chunk)
            {
                var count = Math.Min(Chunk, kc - p);
                for (var r = 0; r < 8; r++)
                {
                    var row = tile + (r * stride);
                    if (r < rows)
                    {
                        Im2colGather.Row(g, image, j0 + jp + r, k0 + p, count, row);
                    }
                    else
                    {
                        new Span<float>(row, count).Clear();
                    }

                    new Span<float>(row + count, (count + 7) / 8 * 8 - count).Clear();
                }

                // In bounds: reads tile rows below count; writes panel rows p + q.. < kc, columns column..column + 7 < nr
                // (jp and nr are multiples of 8) of panel jp / nr < ⌈nc / nr⌉, so columns past nc stay in the last panel.
                for (var q = 0; q < count; q += 8)
                {
                    if (q + 8 <= count)
                    {
                        Transpose8x8.Block(tile + q, stride, panel + ((nint)(p + q) * nr) + column, nr);
                    }
                    else
                    {
                        for (var qq = q; qq < count; qq++)
                        {
                            for (var r = 0; r < 8; r++)
                            {
                                panel[((nint)(p + qq) * nr) + column + r] = tile[(r * stride) + qq];
                            }
                        }
                    }
                }
            }
        }

        var written = (nc + 7) / 8 * 8;
        if (written % nr != 0)
        {
            // The last panel's columns past the last group of eight are zero.
            var last = destination + ((nint)(written / nr * nr) * kc);
            for (var p = 0; p < kc; p++)
            {
                new Span<float>(last + ((nint)p * nr) + (written % nr), nr - (written % nr)).Clear();
            }
        }
    }
}

/// <summary>col2im: the adjoint of <see cref="Im2colGather.Row"/>, adding a row of the column matrix back into the image.</summary>
internal static unsafe class Col2imScatter
{
    /// <summary>Adds row <paramref name="k"/>, pixels [p0, p0 + count), of the column matrix into <paramref name="image"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(in ConvGeometry g, float* image, int k, int p0, int count, float* source)
    {
        var kw = k % g.KW;
        var kh = k / g.KW % g.KH;
        var c = k / (g.KW * g.KH);
        var plane = image + ((nint)c * g.H * g.W);
        var oh = p0 / g.OW;
        var ow = p0 % g.OW;
        while (count > 0)
        {
            var run = Math.Min(count, g.OW - ow);
            var ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
            if ((uint)ih < (uint)g.H)
            {
                var row = plane + ((nint)ih * g.W);
                var iw0 = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                if (g.StrideW == 1 && iw0 >= 0 && iw0 + run <= g.W)
                {
                    // Inside the row, stride 1: a vector add. In bounds: columns [iw0, iw0 + run) ⊂ [0, W).
                    VectorMath.AddInPlace(new Span<float>(row + iw0, run), new ReadOnlySpan<float>(source, run));
                }
                else
                {
                    // Every write checked against [0, W); iw0 + j·s is the column of a valid output pixel, so it fits an int.
                    for (var j = 0; j < run; j++)
                    {
                        var iw = iw0 + (j * g.StrideW);
                        if ((uint)iw < (uint)g.W)
                        {
                            row[iw] += source[j];
                        }
                    }
                }
            }

            source += run;
            count -= run;
            ow = 0;
            oh++;
        }
    }
}
