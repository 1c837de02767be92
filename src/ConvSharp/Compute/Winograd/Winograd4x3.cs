using System.Numerics;
using System.Runtime.CompilerServices;
using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute.Winograd;

/// <summary>
/// Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2015, arXiv:1509.09308): each 4×4 block of output comes from a 6×6 block
/// of input as Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A. Summed over channels, the element-wise product
/// becomes 36 independent matrix products, M[ξ] (OC × tiles) = U[ξ] (OC × C) · V[ξ] (C × tiles),
/// done by the packed GEMM: 36 multiplies per 16 outputs and channel pair instead of 144.
/// Stride 1, any padding and groups; a dilated kernel phase by phase (<see cref="DilatedPhases"/>). The transforms lose a little precision (the
/// interpolation points 0, ±1, ±2, ±½ and ∞ have condition numbers in the hundreds): results
/// agree with the reference to about 1e-4 relative, and the tests allow 1e-3. Its speed, in
/// GFLOP/s counted as the direct convolution's: <c>dotnet run -c Release --project
/// bench/ConvSharp.Benchmarks -- probe resnet-3x3</c>.
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
    /// Whether the smallest tiling fits the budget (<see cref="WinogradTiling"/>): the transformed
    /// filters of a pass of MR output channels, and an item of one tile with its transforms. Only
    /// layers with hundreds of thousands of channels do not; the planner then takes another algorithm.
    /// </summary>
    public static bool Fits(in ConvGeometry g, long budget, out string reason)
    {
        var fits = true;
        foreach (var kernel in Enum.GetValues<GemmKernel>())
        {
            fits &= WinogradTiling.For(g, 1, GemmBlocking.For(kernel), 1, budget).Fits;
        }

        reason = fits ? string.Empty : $"Winograd4x3's transformed filters ({(long)Points * g.GroupChannels * g.Groups} floats per output channel) and one tile's transforms would not fit the workspace";
        return fits;
    }

    /// <summary>The workspace <see cref="Forward"/> holds at the most for this plan.</summary>
    public static long WorkspaceFloats(in ConvGeometry g, in ConvPlan plan)
    {
        var (phase, phases) = Phases(g);
        return WinogradTiling.For(phase, phases, GemmBlocking.For(plan.Kernel), plan.Threads, plan.BudgetFloats).Floats;
    }

    /// <summary>Any padding and groups; a dilated kernel when its phases share one geometry (<see cref="DilatedPhases"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        // The transformed filters are four times the weights: a very large layer is done in passes over its output channels.
        var (phase, phases) = Phases(g);
        var blocking = GemmBlocking.For(plan.Kernel);
        var tiling = WinogradTiling.For(phase, phases, blocking, plan.Threads, plan.BudgetFloats);
        for (var o0 = 0; o0 < g.GroupOutChannels; o0 += tiling.ChannelsPerPass)
        {
            ForwardChannels(g, phase, phases, tiling, blocking, o0, Math.Min(o0 + tiling.ChannelsPerPass, g.GroupOutChannels), input, weight, bias, output);
        }
    }

    /// <summary>The geometry of one phase and the number of phases: the call itself and 1 when undilated.</summary>
    private static (ConvGeometry Phase, int Count) Phases(in ConvGeometry g) =>
        g.DilationH == 1 && g.DilationW == 1 ? (g, 1)
        : DilatedPhases.TryPhases(g, out var phase) ? (phase, g.DilationH * g.DilationW)
        : throw new InvalidOperationException("internal error: Winograd4x3 was given a dilation whose phases differ; the planner must not choose it");

    /// <summary>Output channels [o0, o1) of every group, phase by phase (<paramref name="g"/> the call, <paramref name="p"/> one phase of it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardChannels(
        in ConvGeometry g, in ConvGeometry p, int phases, WinogradTiling tiling, GemmBlocking blocking, int o0, int o1, float* input, float* weight, float* bias, float* output)
    {
        var (m, c) = (o1 - o0, g.GroupChannels);
        var (tilesH, tilesW) = ((p.OH + 3) / 4, (p.OW + 3) / 4);

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

        // Work items: (image, phase, group, band of tile rows, run of tile columns), sized and run
        // tiling.Concurrency at a time so that their transforms stay within the budget.
        var (bandRows, bandColumns) = (tiling.BandRows, tiling.BandColumns);
        var (bandsH, bandsW) = ((tilesH + bandRows - 1) / bandRows, (tilesW + bandColumns - 1) / bandColumns);
        var bands = bandsH * bandsW;
        var (geometry, phase) = (g, p);
        var filtersPointer = packedFilters.Pointer;
        ParallelRunner.For(g.N * phases * g.Groups * bands, tiling.Concurrency, task =>
        {
            var band = task % bands;
            var group = task / bands % geometry.Groups;
            var which = task / bands / geometry.Groups % phases;
            var image = task / bands / geometry.Groups / phases;
            var (ty0, tx0) = (band / bandsW * bandRows, band % bandsW * bandColumns);
            var (ty1, tx1) = (Math.Min(ty0 + bandRows, tilesH), Math.Min(tx0 + bandColumns, tilesW));
            var (source, destination) = phases == 1
                ? (PlaneView.Whole(geometry.H, geometry.W), PlaneView.Whole(geometry.OH, geometry.OW))
                : (DilatedPhases.Input(geometry, which), DilatedPhases.Output(geometry, which));

            // Tiles are numbered with one spare column per tile row (t = row·(columns + 1) + tx − tx0),
            // so every transform runs along the whole item in vectors; the spare columns are computed
            // and never stored.
            var columns = tx1 - tx0;
            var count = (int)WinogradTiling.Count(ty1 - ty0, columns);
            var planes = input + ((((nint)image * geometry.C) + ((nint)group * c)) * source.Plane) + source.Offset;
            var firstChannel = (group * geometry.GroupOutChannels) + o0;
            var targets = output + ((((nint)image * geometry.OC) + firstChannel) * destination.Plane) + destination.Offset;
            // In bounds: 36 matrices of c × count transformed inputs and of m × count products, count the item's tiles with
            // their spare columns; planes and targets are this image's group of input planes and of output planes o0..o1,
            // each seen at this phase (its rows and columns lie inside the full planes: TryPhases divided their sizes).
            using var transformed = Workspace.Rent((long)Points * c * count);
            using var products = Workspace.Rent((long)Points * m * count);
            using var packedB = Workspace.Rent(blocking.PackedBFloats(count));
            using var scratch = Workspace.Rent(WinogradTiling.ScratchFloats(columns, count));
            TransformInput(phase, planes, source, c, ty0, ty1, tx0, tx1, transformed.Pointer, scratch.Pointer);
            for (var point = 0; point < Points; point++)
            {
                var panels = new StridedSource(transformed.Pointer + ((nint)point * c * count), count, 1);
                var a = filtersPointer + ((((nint)group * Points) + point) * packedSize);
                Sgemm.Compute(blocking, m, c, a, ref panels, 0, count, products.Pointer + ((nint)point * m * count), count, false, packedB.Pointer);
            }

            TransformOutput(phase, products.Pointer, m, ty0, ty1, tx0, tx1, bias == null ? null : bias + firstChannel, targets, destination, scratch.Pointer);
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
    /// V[ξ][c, t] = (Bᵀ d B)[ξ] for the tiles of rows [ty0, ty1) and columns [tx0, tx1), d each tile's 6×6 block of
    /// input (zero outside the image), vectorised along the rows: Bᵀ first combines the six input
    /// rows of a tile row element-wise (T = Bᵀ·R, whole rows at once); column 4·tx + k of T,
    /// de-interleaved into P[k][t], makes the columns of tile t the values P0[t], P1[t], P2[t],
    /// P3[t], P0[t + 1], P1[t + 1] — contiguous along the whole item, so the second Bᵀ runs in
    /// vectors over every tile of the item at once (t = row·(tx1 − tx0 + 1) + tx − tx0).
    /// Bᵀ's rows: 4d0 − 5d2 + d4; −4d1 − 4d2 + d3 + d4; 4d1 − 4d2 − d3 + d4; −2d1 − d2 + 2d3 + d4;
    /// 2d1 − d2 − 2d3 + d4; 4d1 − 5d3 + d5.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput(
        in ConvGeometry g, float* planes, PlaneView view, int channels, int ty0, int ty1, int tx0, int tx1, float* transformed, float* scratch)
    {
        // In bounds: the scratch (ScratchFloats) holds 6 padded and 6 combined rows of rowStride and 24 columns of
        // columnStride; each of an item's count tiles is written in every column (tx − tx0 ≤ columns for every tile row).
        var tiles = tx1 - tx0;
        var width = (4 * tiles) + 2;
        var rowStride = width + 16;
        var count = (ty1 - ty0) * (tiles + 1);
        var columnStride = count + 16;
        var rows = scratch;
        var combined = rows + (6 * rowStride);
        var columns = combined + (6 * rowStride);
        var pointStride = (nint)channels * count;
        for (var ic = 0; ic < channels; ic++)
        {
            var plane = planes + ((nint)ic * view.Plane);
            for (var ty = ty0; ty < ty1; ty++)
            {
                for (var r = 0; r < Alpha; r++)
                {
                    // In bounds: the row is read only for iy ∈ [0, H) (through the view), columns in [0, W); iy fits an int.
                    var iy = (4 * ty) - g.PadTop + r;
                    var row = (uint)iy < (uint)g.H ? plane + ((nint)iy * view.Row) : null;
                    PaddedRow.Copy(row, g.W, view.Column, (4 * tx0) - g.PadLeft, new Span<float>(rows + (r * rowStride), width));
                }

                BRows(rows, rowStride, combined, rowStride, width);
                var t0 = (ty - ty0) * (tiles + 1);
                for (var i = 0; i < Alpha; i++)
                {
                    var t = combined + (i * rowStride);
                    for (var k = 0; k < 4; k++)
                    {
                        var column = columns + (((i * 4) + k) * columnStride) + t0;
                        for (var tx = 0; tx <= tiles; tx++)
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

    /// <summary>Y = Aᵀ M A for the tiles of rows [ty0, ty1) and columns [tx0, tx1), plus the bias, vectorised along the item; only outputs inside the image are written.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput(
        in ConvGeometry g, float* products, int m, int ty0, int ty1, int tx0, int tx1, float* bias, float* targets, PlaneView view, float* scratch)
    {
        // In bounds: 24 partial and 16 result rows of stride floats fit ScratchFloats; only outputs with
        // 4·ty + r < OH and 4·tx + k < OW are stored, into this group's m output planes, seen through the view.
        var tiles = tx1 - tx0;
        var count = (ty1 - ty0) * (tiles + 1);
        var stride = count + 16;
        var partial = scratch;
        var result = partial + (24 * stride);
        var pointStride = (nint)m * count;
        for (var oc = 0; oc < m; oc++)
        {
            var plane = targets + ((nint)oc * view.Plane);
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
                var t0 = (ty - ty0) * (tiles + 1);
                for (var r = 0; r < 4 && (4 * ty) + r < g.OH; r++)
                {
                    var outputRow = plane + ((nint)((4 * ty) + r) * view.Row);
                    for (var k = 0; k < 4; k++)
                    {
                        var values = result + (((r * 4) + k) * stride) + t0;
                        for (var tx = 0; tx < tiles && (4 * (tx0 + tx)) + k < g.OW; tx++)
                        {
                            outputRow[(nint)((4 * (tx0 + tx)) + k) * view.Column] = values[tx] + b;
                        }
                    }
                }
            }
        }
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
