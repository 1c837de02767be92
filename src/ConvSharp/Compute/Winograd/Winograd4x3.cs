using System.Numerics;
using System.Runtime.CompilerServices;
using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;
using ConvSharp.Convolution;

namespace ConvSharp.Compute.Winograd;

/// <summary>
/// Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2015, arXiv:1509.09308): each 4×4 block of output comes from a 6×6 block
/// of input as Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A. Summed over channels, the element-wise product
/// becomes 36 independent matrix products, M[ξ] (OC × tiles) = U[ξ] (OC × C) · V[ξ] (C × tiles),
/// done by the packed GEMM: 36 multiplies per 16 outputs and channel pair instead of 144.
/// Stride 1, dilation 1, any padding and groups. The transforms lose a little precision (the
/// interpolation points 0, ±1, ±2, ±½ and ∞ have condition numbers in the hundreds): results
/// agree with the reference to about 1e-4 relative, and the tests allow 1e-3 as DESIGN.md says.
/// Measured (AMD EPYC Zen 3, AVX2, two threads, 2026-11-25): ResNet's 8×64×56² 3×3 layer in
/// 8.5–10 ms, about 200 GFLOP/s counted as the direct convolution's FLOPs.
/// </summary>
internal static unsafe class Winograd4x3
{
    private const int Alpha = 6;
    private const int Points = Alpha * Alpha;

    /// <summary>G (6×3): the filter transform.</summary>
    private static readonly double[,] G =
    {
        { 1.0 / 4, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
        { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
        { 0, 0, 1 },
    };

    /// <summary>
    /// Whether one band of one tile row fits the workspace: its transformed inputs and products,
    /// 36·(C/groups + OC/groups) floats per tile, and the transformed filters of MR output channels.
    /// Very wide images with many channels do not (yet); the planner then takes another algorithm.
    /// </summary>
    public static bool Fits(in ConvGeometry g, out string reason)
    {
        var tilesW = ((g.OW + 3L) / 4) + 1;
        var band = (long)Points * (g.GroupChannels + (long)g.GroupOutChannels) * tilesW;
        var filters = (long)Points * g.Groups * g.GroupChannels * 8;
        var fits = band <= Workspace.MaxFloats / 2 && filters <= Workspace.WeightBudgetFloats;
        reason = fits ? string.Empty : $"Winograd4x3's transforms of one tile row ({band} floats) or its filters ({filters}) would not fit the workspace";
        return fits;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        // The transformed filters are four times the weights: a very large layer is done in passes over its output channels.
        var blocking = GemmBlocking.For(plan.Kernel);
        var perChannel = (long)Points * g.Groups * g.GroupChannels;
        var rowsPerPass = (int)Math.Min(Math.Max(Workspace.WeightBudgetFloats / perChannel / blocking.MR * blocking.MR, blocking.MR), Math.Max(g.GroupOutChannels, 1));
        for (var o0 = 0; o0 < g.GroupOutChannels; o0 += rowsPerPass)
        {
            ForwardChannels(g, plan, blocking, o0, Math.Min(o0 + rowsPerPass, g.GroupOutChannels), input, weight, bias, output);
        }
    }

    /// <summary>Output channels [o0, o1) of every group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardChannels(in ConvGeometry g, in ConvPlan plan, GemmBlocking blocking, int o0, int o1, float* input, float* weight, float* bias, float* output)
    {
        var (m, c) = (o1 - o0, g.GroupChannels);
        var (tilesH, tilesW) = ((g.OH + 3) / 4, (g.OW + 3) / 4);

        // U[group][ξ] = (G g Gᵀ)[ξ] for every (oc, c), packed as the GEMM's A.
        var packedSize = Sgemm.PackedASize(blocking, m, c);
        using var packedFilters = Workspace.Rent((long)g.Groups * Points * packedSize);
        using (var filters = Workspace.Rent((long)Points * m * c))
        {
            for (var group = 0; group < g.Groups; group++)
            {
                // In bounds: output channels [o0, o1) of this group's weights (OC·c·9 floats in all); 36 packed panels per group.
                TransformFilters(weight + ((((nint)group * g.GroupOutChannels) + o0) * c * 9), m, c, filters.Pointer);
                for (var point = 0; point < Points; point++)
                {
                    var packed = packedFilters.Pointer + ((((nint)group * Points) + point) * packedSize);
                    Sgemm.PackA(blocking, filters.Pointer + ((nint)point * m * c), c, 1, m, c, packed);
                }
            }
        }

        // Work items: (image, group, band of tile rows), the band bounded so its transforms stay small.
        var perTileRow = (long)Points * (m + c) * tilesW;
        var bandRows = (int)Math.Clamp(Workspace.ItemBudgetFloats(plan.Threads) / perTileRow, 1, tilesH);
        var wanted = Math.Max(1, ((2 * plan.Threads) + (g.N * g.Groups) - 1) / (g.N * g.Groups));
        bandRows = Math.Min(bandRows, Math.Max(1, (tilesH + wanted - 1) / wanted));
        var bands = (tilesH + bandRows - 1) / bandRows;
        var geometry = g;
        var filtersPointer = packedFilters.Pointer;
        ParallelRunner.For(g.N * g.Groups * bands, plan.Threads, task =>
        {
            var (image, group, band) = (task / bands / geometry.Groups, task / bands % geometry.Groups, task % bands);
            var ty0 = band * bandRows;
            var ty1 = Math.Min(ty0 + bandRows, tilesH);
            // Tiles are numbered with one spare column per tile row (t = row·(tilesW + 1) + tx), so
            // every transform runs along the whole band in vectors; the spare columns are computed
            // and never stored.
            var count = (ty1 - ty0) * (tilesW + 1);
            var source = input + ((((nint)image * geometry.C) + ((nint)group * c)) * geometry.H * geometry.W);
            var firstChannel = (group * geometry.GroupOutChannels) + o0;
            var destination = output + ((((nint)image * geometry.OC) + firstChannel) * geometry.OH * geometry.OW);
            // In bounds: 36 matrices of c × count transformed inputs and of m × count products, count the band's tiles with
            // their spare columns; source and destination are this image's group of input planes and of output planes o0..o1.
            using var transformed = Workspace.Rent((long)Points * c * count);
            using var products = Workspace.Rent((long)Points * m * count);
            using var packedB = Workspace.Rent(blocking.PackedBFloats(count));
            using var scratch = Workspace.Rent(ScratchFloats(tilesW, count));
            TransformInput(geometry, source, c, ty0, ty1, tilesW, transformed.Pointer, scratch.Pointer);
            for (var point = 0; point < Points; point++)
            {
                var panels = new StridedSource(transformed.Pointer + ((nint)point * c * count), count, 1);
                var a = filtersPointer + ((((nint)group * Points) + point) * packedSize);
                Sgemm.Compute(blocking, m, c, a, ref panels, 0, count, products.Pointer + ((nint)point * m * count), count, false, packedB.Pointer);
            }

            TransformOutput(geometry, products.Pointer, m, ty0, ty1, tilesW, bias == null ? null : bias + firstChannel, destination, scratch.Pointer);
        });
    }

    /// <summary>U[ξ][oc, c] = (G g Gᵀ)[ξ], computed in double; U laid out as 36 matrices (m × c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformFilters(float* weight, int m, int c, float* filters)
    {
        var gg = new double[Alpha, 3];
        for (var oc = 0; oc < m; oc++)
        {
            for (var ic = 0; ic < c; ic++)
            {
                // In bounds: w is (oc, ic)'s nine taps of m·c·9 weights; filters holds 36 matrices of m × c.
                var w = weight + ((((nint)oc * c) + ic) * 9);
                for (var i = 0; i < Alpha; i++)
                {
                    for (var j = 0; j < 3; j++)
                    {
                        gg[i, j] = (G[i, 0] * w[j]) + (G[i, 1] * w[3 + j]) + (G[i, 2] * w[6 + j]);
                    }
                }

                for (var i = 0; i < Alpha; i++)
                {
                    for (var j = 0; j < Alpha; j++)
                    {
                        var u = (gg[i, 0] * G[j, 0]) + (gg[i, 1] * G[j, 1]) + (gg[i, 2] * G[j, 2]);
                        filters[(((((nint)i * Alpha) + j) * m) + oc) * c + ic] = (float)u;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Scratch floats: the input transform's 6 padded and 6 transformed rows of one tile row and
    /// 24 band-long de-interleaved columns; the output transform's 24 + 16 band-long rows.
    /// </summary>
    private static int ScratchFloats(int tilesW, int count) => (12 * ((4 * tilesW) + 2 + 16)) + (40 * (count + 16));

    /// <summary>
    /// V[ξ][c, t] = (Bᵀ d B)[ξ] for the tiles of tile rows [ty0, ty1), d each tile's 6×6 block of
    /// input (zero outside the image), vectorised along the rows: Bᵀ first combines the six input
    /// rows of a tile row element-wise (T = Bᵀ·R, whole rows at once); column 4·tx + k of T,
    /// de-interleaved into P[k][t], makes the columns of tile t the values P0[t], P1[t], P2[t],
    /// P3[t], P0[t + 1], P1[t + 1] — contiguous along the whole band, so the second Bᵀ runs in
    /// vectors over every tile of the band at once (t = row·(tilesW + 1) + tx).
    /// Bᵀ's rows: 4d0 − 5d2 + d4; −4d1 − 4d2 + d3 + d4; 4d1 − 4d2 − d3 + d4; −2d1 − d2 + 2d3 + d4;
    /// 2d1 − d2 − 2d3 + d4; 4d1 − 5d3 + d5.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput(in ConvGeometry g, float* image, int channels, int ty0, int ty1, int tilesW, float* transformed, float* scratch)
    {
        // In bounds: the scratch (ScratchFloats) holds 6 padded and 6 combined rows of rowStride and 24 columns of
        // columnStride; each of a band's count tiles is written in every column (tx ≤ tilesW for every tile row).
        var width = (4 * tilesW) + 2;
        var rowStride = width + 16;
        var count = (ty1 - ty0) * (tilesW + 1);
        var columnStride = count + 16;
        var rows = scratch;
        var combined = rows + (6 * rowStride);
        var columns = combined + (6 * rowStride);
        var pointStride = (nint)channels * count;
        for (var ic = 0; ic < channels; ic++)
        {
            var plane = image + ((nint)ic * g.H * g.W);
            for (var ty = ty0; ty < ty1; ty++)
            {
                for (var r = 0; r < Alpha; r++)
                {
                    PaddedRow(g, plane, (4 * ty) - g.PadTop + r, -g.PadLeft, width, rows + (r * rowStride));
                }

                BRows(rows, rowStride, combined, rowStride, width);
                var t0 = (ty - ty0) * (tilesW + 1);
                for (var i = 0; i < Alpha; i++)
                {
                    var t = combined + (i * rowStride);
                    for (var k = 0; k < 4; k++)
                    {
                        var column = columns + (((i * 4) + k) * columnStride) + t0;
                        for (var tx = 0; tx <= tilesW; tx++)
                        {
                            var x = (4 * tx) + k;
                            column[tx] = x < width ? t[x] : 0f;
                        }
                    }
                }
            }

            for (var i = 0; i < Alpha; i++)
            {
                var p = columns + (i * 4 * columnStride);
                BColumns(p, p + columnStride, p + (2 * columnStride), p + (3 * columnStride), transformed + ((nint)i * Alpha * pointStride) + ((nint)ic * count), pointStride, count - 1);
            }
        }
    }

    /// <summary>Y = Aᵀ M A for the tiles of tile rows [ty0, ty1), plus the bias, vectorised along the band; only outputs inside the image are written.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput(in ConvGeometry g, float* products, int m, int ty0, int ty1, int tilesW, float* bias, float* output, float* scratch)
    {
        // In bounds: 24 partial and 16 result rows of stride floats fit ScratchFloats; only outputs with
        // 4·ty + r < OH and 4·tx + k < OW are stored, into this group's m output planes.
        var count = (ty1 - ty0) * (tilesW + 1);
        var stride = count + 16;
        var partial = scratch;
        var result = partial + (24 * stride);
        var pointStride = (nint)m * count;
        for (var oc = 0; oc < m; oc++)
        {
            var plane = output + ((nint)oc * g.OH * g.OW);
            var b = bias == null ? 0f : bias[oc];
            var source = products + ((nint)oc * count);

            // Along x: S[i][k] = Aᵀ[k] · (M[6i], …, M[6i + 5]); then along y: Y[r][k] = Aᵀ[r] · (S[0][k], …, S[5][k]).
            for (var i = 0; i < Alpha; i++)
            {
                AColumns(source + ((nint)i * Alpha * pointStride), pointStride, partial + (i * 4 * stride), stride, count);
            }

            for (var k = 0; k < 4; k++)
            {
                AColumns(partial + (k * stride), 4 * stride, result + (k * stride), 4 * stride, count);
            }

            for (var ty = ty0; ty < ty1; ty++)
            {
                var t0 = (ty - ty0) * (tilesW + 1);
                for (var r = 0; r < 4 && (4 * ty) + r < g.OH; r++)
                {
                    var outputRow = plane + ((nint)((4 * ty) + r) * g.OW);
                    for (var k = 0; k < 4; k++)
                    {
                        var values = result + (((r * 4) + k) * stride) + t0;
                        for (var tx = 0; tx < tilesW && (4 * tx) + k < g.OW; tx++)
                        {
                            outputRow[(4 * tx) + k] = values[tx] + b;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Row <paramref name="iy"/> of the plane from column <paramref name="x0"/>, <paramref name="width"/> values, zero outside the image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PaddedRow(in ConvGeometry g, float* plane, int iy, int x0, int width, float* destination)
    {
        // In bounds: the copy reads row iy ∈ [0, H), columns [x0 + first, x0 + last) ⊂ [0, W); iy = 4·ty − PadTop + r fits an int.
        var row = new Span<float>(destination, width);
        if ((uint)iy >= (uint)g.H)
        {
            row.Clear();
            return;
        }

        var first = Math.Clamp(-x0, 0, width);
        var last = Math.Clamp(g.W - x0, first, width);
        row[..first].Clear();
        new ReadOnlySpan<float>(plane + ((nint)iy * g.W) + x0 + first, last - first).CopyTo(row[first..last]);
        row[last..].Clear();
    }

    /// <summary>Bᵀ applied across six rows, element-wise over <paramref name="n"/> columns: out[i] = Σ Bᵀ[i][r]·in[r].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BRows(float* x, nint xs, float* o, nint os, int n)
    {
        var lanes = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && n >= lanes)
        {
            // Whole vectors, the last one shifted back to end at n (it recomputes a few columns). In bounds: 0 ≤ at ≤ n − V
            // in each of the six rows read and written.
            for (var j = 0; j < n; j += lanes)
            {
                var at = Math.Min(j, n - lanes);
                BVector(
                    Vector.Load(x + at), Vector.Load(x + xs + at), Vector.Load(x + (2 * xs) + at),
                    Vector.Load(x + (3 * xs) + at), Vector.Load(x + (4 * xs) + at), Vector.Load(x + (5 * xs) + at),
                    o + at, os);
            }

            return;
        }

        for (var j = 0; j < n; j++)
        {
            BTransform(x + j, xs, o + j, os);
        }
    }

    /// <summary>Bᵀ across the six columns of every tile of a tile row: columns are P0[tx], P1[tx], P2[tx], P3[tx], P0[tx + 1], P1[tx + 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BColumns(float* p0, float* p1, float* p2, float* p3, float* o, nint os, int tiles)
    {
        var lanes = Vector<float>.Count;

        // In bounds: tiles = count − 1, and the shifted loads p + at + 1 end at tiles, within a column's count values.
        if (Vector.IsHardwareAccelerated && tiles >= lanes)
        {
            for (var j = 0; j < tiles; j += lanes)
            {
                var at = Math.Min(j, tiles - lanes);
                BVector(
                    Vector.Load(p0 + at), Vector.Load(p1 + at), Vector.Load(p2 + at),
                    Vector.Load(p3 + at), Vector.Load(p0 + at + 1), Vector.Load(p1 + at + 1),
                    o + at, os);
            }

            return;
        }

        for (var j = 0; j < tiles; j++)
        {
            var (d0, d1, d2, d3, d4, d5) = (p0[j], p1[j], p2[j], p3[j], p0[j + 1], p1[j + 1]);
            o[j] = (4 * d0) - (5 * d2) + d4;
            o[os + j] = (-4 * d1) - (4 * d2) + d3 + d4;
            o[(2 * os) + j] = (4 * d1) - (4 * d2) - d3 + d4;
            o[(3 * os) + j] = (-2 * d1) - d2 + (2 * d3) + d4;
            o[(4 * os) + j] = (2 * d1) - d2 - (2 * d3) + d4;
            o[(5 * os) + j] = (4 * d1) - (5 * d3) + d5;
        }
    }

    /// <summary>The six rows of Bᵀ applied to six vectors, stored at o, o + os, …, o + 5·os.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BVector(Vector<float> d0, Vector<float> d1, Vector<float> d2, Vector<float> d3, Vector<float> d4, Vector<float> d5, float* o, nint os)
    {
        var four = new Vector<float>(4f);
        var five = new Vector<float>(5f);
        var two = new Vector<float>(2f);
        ((four * d0) - (five * d2) + d4).Store(o);
        ((-four * d1) - (four * d2) + d3 + d4).Store(o + os);
        ((four * d1) - (four * d2) - d3 + d4).Store(o + (2 * os));
        ((-two * d1) - d2 + (two * d3) + d4).Store(o + (3 * os));
        ((two * d1) - d2 - (two * d3) + d4).Store(o + (4 * os));
        ((four * d1) - (five * d3) + d5).Store(o + (5 * os));
    }

    /// <summary>Aᵀ across six rows (x, x + xs, …), element-wise over <paramref name="n"/> columns, into four rows (o, o + os, …).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AColumns(float* x, nint xs, float* o, nint os, int n)
    {
        var lanes = Vector<float>.Count;

        // In bounds: 0 ≤ at ≤ n − V in six rows read and four written, as in BRows.
        if (Vector.IsHardwareAccelerated && n >= lanes)
        {
            var two = new Vector<float>(2f);
            var four = new Vector<float>(4f);
            var eight = new Vector<float>(8f);
            for (var j = 0; j < n; j += lanes)
            {
                var at = Math.Min(j, n - lanes);
                var (m0, m1, m2) = (Vector.Load(x + at), Vector.Load(x + xs + at), Vector.Load(x + (2 * xs) + at));
                var (m3, m4, m5) = (Vector.Load(x + (3 * xs) + at), Vector.Load(x + (4 * xs) + at), Vector.Load(x + (5 * xs) + at));
                var (sum12, diff12, sum34, diff34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4);
                (m0 + sum12 + sum34).Store(o + at);
                (diff12 + (two * diff34)).Store(o + os + at);
                (sum12 + (four * sum34)).Store(o + (2 * os) + at);
                (diff12 + (eight * diff34) + m5).Store(o + (3 * os) + at);
            }

            return;
        }

        for (var j = 0; j < n; j++)
        {
            ATransform(x + j, xs, o + j, os);
        }
    }

    /// <summary>out = Bᵀ·in for one column of six values (strided in and out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BTransform(float* x, nint xs, float* o, nint os)
    {
        var (d0, d1, d2, d3, d4, d5) = (x[0], x[xs], x[2 * xs], x[3 * xs], x[4 * xs], x[5 * xs]);
        o[0] = (4 * d0) - (5 * d2) + d4;
        o[os] = (-4 * d1) - (4 * d2) + d3 + d4;
        o[2 * os] = (4 * d1) - (4 * d2) - d3 + d4;
        o[3 * os] = (-2 * d1) - d2 + (2 * d3) + d4;
        o[4 * os] = (2 * d1) - d2 - (2 * d3) + d4;
        o[5 * os] = (4 * d1) - (5 * d3) + d5;
    }

    /// <summary>out = Aᵀ·in for one column of six values: the four rows of Aᵀ are
    /// m0 + m1 + m2 + m3 + m4; m1 − m2 + 2m3 − 2m4; m1 + m2 + 4m3 + 4m4; m1 − m2 + 8m3 − 8m4 + m5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ATransform(float* x, nint xs, float* o, nint os)
    {
        var (m0, m1, m2, m3, m4, m5) = (x[0], x[xs], x[2 * xs], x[3 * xs], x[4 * xs], x[5 * xs]);
        var (sum12, diff12, sum34, diff34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4);
        o[0] = m0 + sum12 + sum34;
        o[os] = diff12 + (2 * diff34);
        o[2 * os] = sum12 + (4 * sum34);
        o[3 * os] = diff12 + (8 * diff34) + m5;
    }
}
