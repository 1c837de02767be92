using System.Numerics;
using System.Runtime.CompilerServices;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute.Direct;

/// <summary>
/// Direct convolution for filters where every output channel reads one input channel
/// (C/groups = 1: single-channel image filters and depthwise layers). There is no reduction over
/// channels for a GEMM to exploit, so the kernels slide over the image itself. For each output row
/// the KH input rows it reads are located once (a shared row of zeros stands in for rows in the
/// padding); the columns whose whole window lies inside the image are computed from them with
/// <see cref="Vector{T}"/> FMAs, straight from the input with no copy, and the few border columns
/// with a scalar loop that checks bounds:
/// <code>
///   for each tap (kh, kw):  acc[0..3] += w[kh, kw] × row[kh][x + kw·d + 0..4V]
/// </code>
/// Four output channels that share an input row are computed together (one load, four FMAs),
/// and 3×3 filters keep their nine weights in registers. Vector positions near the end of a row
/// are shifted back rather than finished by a scalar tail: a scalar tail is a chain of dependent
/// FMAs per output and costs more than all the vector work. Must match
/// <see cref="Reference.ConvReference"/> within float rounding. The rows are copied into a ring
/// per run of output columns, and the weight gradient sums over tiles of the output, both sized
/// to the workspace budget (<see cref="DirectForwardTiling"/>, <see cref="DirectWeightTiling"/>).
/// Its speed: <c>dotnet run -c Release --project bench/ConvSharp.Benchmarks -- probe img-3x3</c>
/// (or <c>lenet-c1</c>).
/// </summary>
internal static unsafe class DirectConv
{
    /// <summary>Row slots kept on the stack; a kernel with more rows (or a ring that long) takes them from the heap instead.</summary>
    private const int StackSlots = 64;

    /// <summary>The workspace <see cref="Forward"/> holds at the most for this plan.</summary>
    public static long ForwardWorkspaceFloats(in ConvGeometry g, in ConvPlan plan) => DirectForwardTiling.For(g, Threads(g, plan), plan.BudgetFloats).Floats;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        // Work items: (image, input channel, band of output rows, run of output columns), sized by DirectForwardTiling.
        var tiling = DirectForwardTiling.For(g, Threads(g, plan), plan.BudgetFloats);
        var (bandRows, bands, runs) = (tiling.BandRows, tiling.Bands, tiling.Runs);
        var geometry = g;
        ParallelRunner.For(g.N * g.C * bands * runs, tiling.Concurrency, task =>
        {
            // In bounds: source is input plane (image, channel); destination the GroupOutChannels output planes
            // that read it (C/groups = 1, so channel·GroupOutChannels < OC), rows [y0, y1) ⊂ [0, OH), columns [x0, x1) ⊂ [0, OW).
            var (plane, band, run) = (task / runs / bands, task / runs % bands, task % runs);
            var (image, channel) = (plane / geometry.C, plane % geometry.C);
            var source = input + ((((nint)image * geometry.C) + channel) * geometry.H * geometry.W);
            var firstOutput = channel * geometry.GroupOutChannels;
            var destination = output + ((((nint)image * geometry.OC) + firstOutput) * geometry.OH * geometry.OW);
            var (y0, y1) = (band * bandRows, (int)Math.Min((band + 1L) * bandRows, geometry.OH));
            var weights = weight + ((nint)firstOutput * geometry.KH * geometry.KW);
            var biases = bias == null ? null : bias + firstOutput;
            if (tiling.Ring)
            {
                var (x0, x1) = EvenSplit.Part(geometry.OW, runs, run);
                Rows(geometry, source, weights, biases, y0, y1, x0, x1, destination);
            }
            else
            {
                ScalarRows(geometry, source, weights, biases, y0, y1, destination);
            }
        });
    }

    /// <summary>
    /// Output rows [y0, y1), columns [x0, x1), of the GroupOutChannels planes that read one input
    /// plane. Each input row is copied once, with its zero padding, into a ring of DilatedKH rows
    /// as wide as the columns read; rows in the vertical padding point at a row of zeros. The
    /// kernels then run over the whole run of columns with no border cases.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(in ConvGeometry g, float* plane, float* weights, float* biases, int y0, int y1, int x0, int x1, float* output)
    {
        // DirectForwardTiling bounded (slots + 1)·width by the budget, so neither wraps: slots ring rows and a row of zeros.
        var width = PaddedBand.Width(g, x0, x1);
        var slots = g.DilatedKH;
        using var scratch = Workspace.Rent((long)(slots + 1) * width);
        var zeros = scratch.Pointer + ((nint)slots * width);
        new Span<float>(zeros, width).Clear();

        // Small kernels keep their bookkeeping on the stack (a fixed 64 slots); the sizes come from the user's kernel, so large ones use the heap.
        Span<int> held = slots <= StackSlots ? stackalloc int[StackSlots] : new int[slots];
        Span<nint> rowSpan = g.KH <= StackSlots ? stackalloc nint[StackSlots] : new nint[g.KH];
        held.Fill(int.MinValue);
        fixed (nint* rows = rowSpan)
        {
            RowsFromRing(g, plane, weights, biases, y0, y1, x0, x1, output, scratch.Pointer, zeros, width, held[..slots], rows);
        }
    }

    /// <summary>The body of <see cref="Rows"/>: <paramref name="held"/>[slot] is the input row a ring slot holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsFromRing(
        in ConvGeometry g, float* plane, float* weights, float* biases, int y0, int y1, int x0, int x1, float* output, float* ringStart, float* zeros, int width, Span<int> held, nint* rows)
    {
        var slots = held.Length;
        for (var y = y0; y < y1; y++)
        {
            for (var kh = 0; kh < g.KH; kh++)
            {
                var ih = (y * g.StrideH) - g.PadTop + (kh * g.DilationH);
                if ((uint)ih >= (uint)g.H)
                {
                    rows[kh] = (nint)zeros;
                    continue;
                }

                // In bounds: 0 ≤ ih < H here, so the row is inside the plane and slot < slots rows of the ring
                // (the KH rows of one output row are distinct mod DilatedKH, so none evicts another).
                var slot = ih % slots;
                var ring = ringStart + ((nint)slot * width);
                if (held[slot] != ih)
                {
                    PaddedRow.Copy(plane + ((nint)ih * g.W), g.W, 1, x0 - g.PadLeft, new Span<float>(ring, width));
                    held[slot] = ih;
                }

                rows[kh] = (nint)ring;
            }

            // The ring's column j is input column x0 − PadLeft + j, so output column x0 + p reads ring columns p + kw·d.
            Columns(g, (float**)rows, 0, x1 - x0, weights, biases, output + ((nint)y * g.OW) + x0);
        }
    }

    /// <summary>Columns [from, to) of one output row, for every output channel of the group, from row pointers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns(in ConvGeometry g, float** rows, int from, int to, float* weights, float* biases, float* row)
    {
        // rows[kh] are KH rows of width = (to − from) − 1 + DilatedKW floats (stride 1), row a run of the
        // y-th row of this group's first output plane, weights its GroupOutChannels·KH·KW taps.
        var taps = g.KH * g.KW;
        var planeSize = (nint)g.OH * g.OW;
        var m = g.GroupOutChannels;
        var j = 0;
        for (; j + 4 <= m; j += 4)
        {
            RowOf4(g, rows, from, to, weights + ((nint)j * taps), biases == null ? null : biases + j, row + (j * planeSize), planeSize);
        }

        for (; j < m; j++)
        {
            var w = weights + ((nint)j * taps);
            var b = biases == null ? 0f : biases[j];
            if (g.KH == 3 && g.KW == 3 && g.DilationH == 1 && g.DilationW == 1)
            {
                Row3x3(rows, from, to, w, b, row + (j * planeSize));
            }
            else
            {
                Row(g, rows, from, to, w, b, row + (j * planeSize));
            }
        }
    }

    /// <summary>Every output of rows [y0, y1) with bounds checks: strided rows and images narrower than a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRows(in ConvGeometry g, float* plane, float* weights, float* biases, int y0, int y1, float* output)
    {
        var taps = g.KH * g.KW;
        var planeSize = (nint)g.OH * g.OW;
        for (var j = 0; j < g.GroupOutChannels; j++)
        {
            for (var y = y0; y < y1; y++)
            {
                // In bounds: y < OH, x < OW in this group's j-th output plane; Border checks every tap.
                var row = output + (j * planeSize) + ((nint)y * g.OW);
                for (var x = 0; x < g.OW; x++)
                {
                    row[x] = Border(g, plane, y, x, weights + ((nint)j * taps), biases == null ? 0f : biases[j]);
                }
            }
        }
    }

    /// <summary>One output whose window may leave the image: every tap checked, the same order as the vector paths.</summary>
    private static float Border(in ConvGeometry g, float* plane, int y, int x, float* w, float bias)
    {
        var sum = bias;
        for (var kh = 0; kh < g.KH; kh++)
        {
            var ih = (y * g.StrideH) - g.PadTop + (kh * g.DilationH);
            if ((uint)ih >= (uint)g.H)
            {
                continue;
            }

            for (var kw = 0; kw < g.KW; kw++)
            {
                var iw = (x * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                // iw for x < OW, kw < KW fits an int (ConvGeometry); the read is checked against [0, W).
                if ((uint)iw < (uint)g.W)
                {
                    sum = MathF.FusedMultiplyAdd(plane[((nint)ih * g.W) + iw], w[(kh * g.KW) + kw], sum);
                }
            }
        }

        return sum;
    }

    /// <summary>Interior columns of one output row, any kernel: four vectors per block, positions clamped to [first, end − V].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(in ConvGeometry g, float** rows, int first, int end, float* w, float bias, float* output)
    {
        var lanes = Vector<float>.Count;
        // In bounds: 0 ≤ p ≤ end − V (DirectForwardTiling: runs of at least V columns), so the loads reach column
        // (KW − 1)·d + end − 1 = width − 1 of each ring row and the stores column end − 1 of the run; the run's ring fits
        // the budget, so x + 4V cannot wrap.
        var last = end - lanes;
        for (var x = first; x < end; x += 4 * lanes)
        {
            var p0 = Math.Min(x, last);
            var p1 = Math.Min(x + lanes, last);
            var p2 = Math.Min(x + (2 * lanes), last);
            var p3 = Math.Min(x + (3 * lanes), last);
            var a0 = new Vector<float>(bias);
            var (a1, a2, a3) = (a0, a0, a0);
            for (var kh = 0; kh < g.KH; kh++)
            {
                var source = rows[kh];
                for (var kw = 0; kw < g.KW; kw++)
                {
                    var tap = new Vector<float>(w[(kh * g.KW) + kw]);
                    var s = source + (kw * g.DilationW);
                    a0 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + p0), tap, a0);
                    a1 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + p1), tap, a1);
                    a2 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + p2), tap, a2);
                    a3 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + p3), tap, a3);
                }
            }

            Unsafe.WriteUnaligned(output + p0, a0);
            Unsafe.WriteUnaligned(output + p1, a1);
            Unsafe.WriteUnaligned(output + p2, a2);
            Unsafe.WriteUnaligned(output + p3, a3);
        }
    }

    /// <summary>
    /// Interior columns of a 3×3 filter with its nine weights in registers and the taps unrolled:
    /// per block of four vectors, 36 loads and 36 FMAs, each vector summing its three rows
    /// separately so the FMA chains stay three deep.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row3x3(float** rows, int first, int end, float* w, float bias, float* output)
    {
        var lanes = Vector<float>.Count;
        var (w0, w1, w2) = (new Vector<float>(w[0]), new Vector<float>(w[1]), new Vector<float>(w[2]));
        var (w3, w4, w5) = (new Vector<float>(w[3]), new Vector<float>(w[4]), new Vector<float>(w[5]));
        var (w6, w7, w8) = (new Vector<float>(w[6]), new Vector<float>(w[7]), new Vector<float>(w[8]));
        var start = new Vector<float>(bias);
        var r0 = rows[0];
        var r1 = rows[1];
        var r2 = rows[2];
        // In bounds: p ≤ end − V, and Tap3 reads p + 2 + V − 1 = at most end + 1 = width − 1 (3×3, dilation 1).
        var last = end - lanes;
        for (var x = first; x < end; x += 4 * lanes)
        {
            var p0 = Math.Min(x, last);
            var p1 = Math.Min(x + lanes, last);
            var p2 = Math.Min(x + (2 * lanes), last);
            var p3 = Math.Min(x + (3 * lanes), last);
            Unsafe.WriteUnaligned(output + p0, Tap3(r0 + p0, w0, w1, w2, start) + Tap3(r1 + p0, w3, w4, w5, default) + Tap3(r2 + p0, w6, w7, w8, default));
            Unsafe.WriteUnaligned(output + p1, Tap3(r0 + p1, w0, w1, w2, start) + Tap3(r1 + p1, w3, w4, w5, default) + Tap3(r2 + p1, w6, w7, w8, default));
            Unsafe.WriteUnaligned(output + p2, Tap3(r0 + p2, w0, w1, w2, start) + Tap3(r1 + p2, w3, w4, w5, default) + Tap3(r2 + p2, w6, w7, w8, default));
            Unsafe.WriteUnaligned(output + p3, Tap3(r0 + p3, w0, w1, w2, start) + Tap3(r1 + p3, w3, w4, w5, default) + Tap3(r2 + p3, w6, w7, w8, default));
        }
    }

    /// <summary>acc + s[0]·a + s[1]·b + s[2]·c, one vector of outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Tap3(float* s, Vector<float> a, Vector<float> b, Vector<float> c, Vector<float> acc)
    {
        acc = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s), a, acc);
        acc = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + 1), b, acc);
        return Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + 2), c, acc);
    }

    /// <summary>
    /// Interior columns of four output rows (four channels reading the same input): each input
    /// vector loaded for a tap feeds four FMAs; 2 vectors × 4 channels = 8 accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowOf4(in ConvGeometry g, float** rows, int first, int end, float* w, float* bias, float* output, nint planeSize)
    {
        var lanes = Vector<float>.Count;
        var taps = g.KH * g.KW;
        var last = end - lanes;
        var (b0, b1, b2, b3) = bias == null ? (0f, 0f, 0f, 0f) : (bias[0], bias[1], bias[2], bias[3]);
        // In bounds as in Row: p ≤ end − V; the four output planes are channels j..j + 3 < GroupOutChannels.
        for (var x = first; x < end; x += 2 * lanes)
        {
            var p0 = Math.Min(x, last);
            var p1 = Math.Min(x + lanes, last);
            Vector<float> a00 = new(b0), a01 = new(b0), a10 = new(b1), a11 = new(b1);
            Vector<float> a20 = new(b2), a21 = new(b2), a30 = new(b3), a31 = new(b3);
            for (var kh = 0; kh < g.KH; kh++)
            {
                var source = rows[kh];
                var tap = w + (kh * g.KW);
                for (var kw = 0; kw < g.KW; kw++)
                {
                    var s = source + (kw * g.DilationW);
                    var v0 = Unsafe.ReadUnaligned<Vector<float>>(s + p0);
                    var v1 = Unsafe.ReadUnaligned<Vector<float>>(s + p1);
                    var c0 = new Vector<float>(tap[kw]);
                    a00 = Vector.FusedMultiplyAdd(v0, c0, a00);
                    a01 = Vector.FusedMultiplyAdd(v1, c0, a01);
                    var c1 = new Vector<float>(tap[taps + kw]);
                    a10 = Vector.FusedMultiplyAdd(v0, c1, a10);
                    a11 = Vector.FusedMultiplyAdd(v1, c1, a11);
                    var c2 = new Vector<float>(tap[(2 * taps) + kw]);
                    a20 = Vector.FusedMultiplyAdd(v0, c2, a20);
                    a21 = Vector.FusedMultiplyAdd(v1, c2, a21);
                    var c3 = new Vector<float>(tap[(3 * taps) + kw]);
                    a30 = Vector.FusedMultiplyAdd(v0, c3, a30);
                    a31 = Vector.FusedMultiplyAdd(v1, c3, a31);
                }
            }

            Unsafe.WriteUnaligned(output + p0, a00);
            Unsafe.WriteUnaligned(output + p1, a01);
            Unsafe.WriteUnaligned(output + planeSize + p0, a10);
            Unsafe.WriteUnaligned(output + planeSize + p1, a11);
            Unsafe.WriteUnaligned(output + (2 * planeSize) + p0, a20);
            Unsafe.WriteUnaligned(output + (2 * planeSize) + p1, a21);
            Unsafe.WriteUnaligned(output + (3 * planeSize) + p0, a30);
            Unsafe.WriteUnaligned(output + (3 * planeSize) + p1, a31);
        }
    }

    /// <summary>
    /// dW[oc, kh, kw] = Σ dY[n, oc, y, x]·X[n, c, y·s − p + kh·d, x·s − p + kw·d]: per tile of
    /// outputs (<see cref="DirectWeightTiling"/>) the padded input is copied once per image and
    /// every tap summed over it, for up to <see cref="ChannelBlock"/> output channels of the group
    /// at once (they read the same input: C/groups = 1). Each chunk of tiles sums into its own
    /// partial per output channel, and the partials are added in a fixed order, so the thread
    /// count cannot change the result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeight(in ConvGeometry g, in ConvPlan plan, float* gradOutput, float* input, float* gradWeight)
    {
        var tiling = DirectWeightTiling.For(g, Threads(g, plan), plan.BudgetFloats);
        var (rowBands, columnRuns, chunks) = (tiling.RowBands, tiling.ColumnRuns, tiling.Chunks);
        var tiles = rowBands * columnRuns;
        var taps = g.KH * g.KW;
        var blocks = (g.GroupOutChannels + ChannelBlock - 1) / ChannelBlock;

        // One chunk sums straight into the gradient; more keep a partial per output channel and chunk.
        using var partials = Workspace.Rent(chunks > 1 ? (long)g.OC * chunks * taps : 0);
        var partial = partials.Pointer;
        var geometry = g;
        ParallelRunner.For(g.C * blocks * chunks, tiling.Concurrency, task =>
        {
            var (channel, block, chunk) = (task / chunks / blocks, task / chunks % blocks, task % chunks);
            var firstOc = (channel * geometry.GroupOutChannels) + (block * ChannelBlock);
            var count = Math.Min(ChannelBlock, ((channel + 1) * geometry.GroupOutChannels) - firstOc);
            // In bounds: each of the block's count ≤ ChannelBlock output channels oc < OC sums into its taps of the
            // OC·chunks·taps partials, or of the gradient; the scratch holds the largest tile's PaddedBand.Rows × Width
            // floats (tiling.BandFloats); tiles and their rows and columns lie inside the output.
            var sums = stackalloc nint[ChannelBlock];
            for (var j = 0; j < ChannelBlock; j++)
            {
                var oc = firstOc + Math.Min(j, count - 1);
                sums[j] = (nint)(chunks > 1 ? partial + ((((nint)oc * chunks) + chunk) * taps) : gradWeight + ((nint)oc * taps));
                new Span<float>((float*)sums[j], taps).Clear();
            }

            var planes = stackalloc nint[ChannelBlock];
            using var scratch = Workspace.Rent(tiling.BandFloats);
            var (first, last) = EvenSplit.Part(tiles, chunks, chunk);
            for (var tile = first; tile < last; tile++)
            {
                var (y0, y1) = EvenSplit.Part(geometry.OH, rowBands, tile / columnRuns);
                var x0 = tile % columnRuns * tiling.RunColumns;
                var x1 = (int)Math.Min((long)x0 + tiling.RunColumns, geometry.OW);
                for (var image = 0; image < geometry.N; image++)
                {
                    var source = input + ((((nint)image * geometry.C) + channel) * geometry.H * geometry.W);
                    for (var j = 0; j < ChannelBlock; j++)
                    {
                        // A block of fewer channels repeats its last one; its sums land on that channel's taps once.
                        planes[j] = (nint)(gradOutput + ((((nint)image * geometry.OC) + firstOc + Math.Min(j, count - 1)) * geometry.OH * geometry.OW));
                    }

                    PaddedBand.Fill(geometry, source, y0, y1, x0, x1, scratch.Pointer);
                    if (count == 1)
                    {
                        WeightBandOfOne(geometry, scratch.Pointer, (float*)planes[0], y0, y1, x0, x1, (float*)sums[0]);
                    }
                    else
                    {
                        WeightBand(geometry, scratch.Pointer, (float**)planes, count, y0, y1, x0, x1, (float**)sums);
                    }
                }
            }
        });

        if (chunks > 1)
        {
            for (var oc = 0; oc < g.OC; oc++)
            {
                var sum = new Span<float>(gradWeight + ((nint)oc * taps), taps);
                sum.Clear();
                for (var chunk = 0; chunk < chunks; chunk++)
                {
                    VectorMath.AddInPlace(sum, new ReadOnlySpan<float>(partial + ((((nint)oc * chunks) + chunk) * taps), taps));
                }
            }
        }
    }

    /// <summary>The workspace <see cref="BackwardWeight"/> holds at the most for this plan.</summary>
    public static long BackwardWeightWorkspaceFloats(in ConvGeometry g, in ConvPlan plan) => DirectWeightTiling.For(g, Threads(g, plan), plan.BudgetFloats).Floats;

    /// <summary>
    /// Whether the weight gradient fits the budget: the partial sums, and one tile of padded input
    /// (at the least dilation·(KH − 1) + 1 rows by dilation·(KW − 1) + 1 columns, for one output).
    /// </summary>
    public static bool BackwardWeightFits(in ConvGeometry g, long budget, out string reason)
    {
        var tiling = DirectWeightTiling.For(g, 1, budget);
        reason = tiling.Fits ? string.Empty
            : $"Direct's weight gradient needs tiles of {tiling.BandFloats} floats of padded input, more than the workspace holds";
        return tiling.Fits;
    }

    /// <summary>Spreading a small problem over threads costs more than it saves.</summary>
    private static int Threads(in ConvGeometry g, in ConvPlan plan) =>
        (long)g.N * g.OC * g.OH * g.OW * g.KH * g.KW < WorkPartition.MinimumWorkPerItem ? 1 : plan.Threads;

    /// <summary>Output channels whose weight gradients one pass sums together: 4 channels × 2 taps = 8 vector accumulators.</summary>
    internal const int ChannelBlock = 4;

    /// <summary>
    /// Adds the Σ dY·X of output rows [y0, y1), columns [x0, x1), for every tap into the sums of
    /// the block's <paramref name="count"/> output channels. Two taps of a kernel row at a time:
    /// per vector of outputs, 4 dY loads and 2 input loads feed 8 FMAs into 8 accumulators, so the
    /// FMA ports, not the loads, set the pace (<c>bench probe lenet-c1</c>, backward weight).
    /// Unused slots of a block repeat its last channel and are dropped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightBand(in ConvGeometry g, float* band, float** planes, int count, int y0, int y1, int x0, int x1, float** sums)
    {
        var width = PaddedBand.Width(g, x0, x1);
        var columns = x1 - x0;
        var lanes = Vector<float>.Count;
        var vectorised = Vector.IsHardwareAccelerated && g.StrideW == 1;
        var vectorEnd = vectorised ? columns / lanes * lanes : 0;
        // A run that ends inside a vector: one more vector, shifted back to end at the run's end, with the lanes the
        // full vectors already covered masked off (a scalar tail costs 8 dependent FMAs per column).
        var tailMasked = vectorised && columns > vectorEnd && columns >= lanes;
        var tailMask = Vector.GreaterThanOrEqual(Vector<int>.Indices, new Vector<int>(vectorEnd - (columns - lanes))).As<int, float>();
        for (var kh = 0; kh < g.KH; kh++)
        {
            for (var kw = 0; kw < g.KW; kw += 2)
            {
                // The second tap of the pair; a kernel row of odd width repeats its last tap and drops the copy.
                var pair = kw + 1 < g.KW;
                var step = pair ? g.DilationW : 0;
                Vector<float> a00 = default, a01 = default, a10 = default, a11 = default;
                Vector<float> a20 = default, a21 = default, a30 = default, a31 = default;
                float s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
                for (var y = y0; y < y1; y++)
                {
                    // In bounds: band row (y − y0)·StrideH + kh·DilationH < PaddedBand.Rows; the vector loop reads columns up
                    // to vectorEnd − 1 + (kw + 1)·DilationW < width (stride 1, kw + 1 < KW when step ≠ 0), the scalar one
                    // x·StrideW + kw·DilationW + step < width; dY rows y of the block's planes, columns [x0, x1).
                    var first = band + ((nint)(((y - y0) * g.StrideH) + (kh * g.DilationH)) * width) + (kw * g.DilationW);
                    var second = first + step;
                    var row = ((nint)y * g.OW) + x0;
                    var d0 = planes[0] + row;
                    var d1 = planes[1] + row;
                    var d2 = planes[2] + row;
                    var d3 = planes[3] + row;
                    for (var x = 0; x < vectorEnd; x += lanes)
                    {
                        Accumulate(first + x, second + x, d0 + x, d1 + x, d2 + x, d3 + x, Vector<float>.AllBitsSet, ref a00, ref a01, ref a10, ref a11, ref a20, ref a21, ref a30, ref a31);
                    }

                    if (tailMasked)
                    {
                        // The last columns as one vector ending at the run's end, its lanes already summed masked off.
                        var x = columns - lanes;
                        Accumulate(first + x, second + x, d0 + x, d1 + x, d2 + x, d3 + x, tailMask, ref a00, ref a01, ref a10, ref a11, ref a20, ref a21, ref a30, ref a31);
                    }

                    for (var x = tailMasked ? columns : vectorEnd; x < columns; x++)
                    {
                        var (v0, v1) = (first[(nint)x * g.StrideW], second[(nint)x * g.StrideW]);
                        s00 = MathF.FusedMultiplyAdd(d0[x], v0, s00);
                        s01 = MathF.FusedMultiplyAdd(d0[x], v1, s01);
                        s10 = MathF.FusedMultiplyAdd(d1[x], v0, s10);
                        s11 = MathF.FusedMultiplyAdd(d1[x], v1, s11);
                        s20 = MathF.FusedMultiplyAdd(d2[x], v0, s20);
                        s21 = MathF.FusedMultiplyAdd(d2[x], v1, s21);
                        s30 = MathF.FusedMultiplyAdd(d3[x], v0, s30);
                        s31 = MathF.FusedMultiplyAdd(d3[x], v1, s31);
                    }
                }

                var tap = (kh * g.KW) + kw;
                Add(sums, count, 0, tap, pair, Vector.Sum(a00) + s00, Vector.Sum(a01) + s01);
                Add(sums, count, 1, tap, pair, Vector.Sum(a10) + s10, Vector.Sum(a11) + s11);
                Add(sums, count, 2, tap, pair, Vector.Sum(a20) + s20, Vector.Sum(a21) + s21);
                Add(sums, count, 3, tap, pair, Vector.Sum(a30) + s30, Vector.Sum(a31) + s31);
            }
        }
    }

    /// <summary>
    /// <see cref="WeightBand"/> for a group of one output channel (depthwise, single-channel
    /// filters): one tap at a time over four vectors of outputs, four accumulators, so the FMAs do
    /// not wait on each other, and no work for the block's empty slots.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightBandOfOne(in ConvGeometry g, float* band, float* gradOutput, int y0, int y1, int x0, int x1, float* sums)
    {
        var width = PaddedBand.Width(g, x0, x1);
        var count = x1 - x0;
        var lanes = Vector<float>.Count;
        var vectorised = Vector.IsHardwareAccelerated && g.StrideW == 1;
        for (var kh = 0; kh < g.KH; kh++)
        {
            for (var kw = 0; kw < g.KW; kw++)
            {
                var (t0, t1, t2, t3) = (Vector<float>.Zero, Vector<float>.Zero, Vector<float>.Zero, Vector<float>.Zero);
                var scalar = 0f;
                for (var y = y0; y < y1; y++)
                {
                    // In bounds: band row (y − y0)·StrideH + kh·DilationH < PaddedBand.Rows; the vector loops read columns
                    // up to (count − 1) + kw·DilationW < width (stride 1), the scalar one x·StrideW + kw·DilationW < width.
                    var source = band + ((nint)(((y - y0) * g.StrideH) + (kh * g.DilationH)) * width) + (kw * g.DilationW);
                    var dy = gradOutput + ((nint)y * g.OW) + x0;
                    var x = 0;
                    if (vectorised)
                    {
                        for (; x + (4 * lanes) <= count; x += 4 * lanes)
                        {
                            t0 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(dy + x), Unsafe.ReadUnaligned<Vector<float>>(source + x), t0);
                            t1 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(dy + x + lanes), Unsafe.ReadUnaligned<Vector<float>>(source + x + lanes), t1);
                            t2 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(dy + x + (2 * lanes)), Unsafe.ReadUnaligned<Vector<float>>(source + x + (2 * lanes)), t2);
                            t3 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(dy + x + (3 * lanes)), Unsafe.ReadUnaligned<Vector<float>>(source + x + (3 * lanes)), t3);
                        }

                        for (; x + lanes <= count; x += lanes)
                        {
                            t0 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(dy + x), Unsafe.ReadUnaligned<Vector<float>>(source + x), t0);
                        }
                    }

                    for (; x < count; x++)
                    {
                        scalar = MathF.FusedMultiplyAdd(dy[x], source[(nint)x * g.StrideW], scalar);
                    }
                }

                sums[(kh * g.KW) + kw] += Vector.Sum((t0 + t1) + (t2 + t3)) + scalar;
            }
        }
    }

    /// <summary>One vector of outputs: the block's four dY vectors (masked) times the pair's two input vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(
        float* first, float* second, float* d0, float* d1, float* d2, float* d3, Vector<float> mask,
        ref Vector<float> a00, ref Vector<float> a01, ref Vector<float> a10, ref Vector<float> a11,
        ref Vector<float> a20, ref Vector<float> a21, ref Vector<float> a30, ref Vector<float> a31)
    {
        // Masked lanes are 0·0, not 0·x: an infinite input there must not turn an already counted sum into NaN.
        var v0 = Unsafe.ReadUnaligned<Vector<float>>(first) & mask;
        var v1 = Unsafe.ReadUnaligned<Vector<float>>(second) & mask;
        var e = Unsafe.ReadUnaligned<Vector<float>>(d0) & mask;
        a00 = Vector.FusedMultiplyAdd(e, v0, a00);
        a01 = Vector.FusedMultiplyAdd(e, v1, a01);
        e = Unsafe.ReadUnaligned<Vector<float>>(d1) & mask;
        a10 = Vector.FusedMultiplyAdd(e, v0, a10);
        a11 = Vector.FusedMultiplyAdd(e, v1, a11);
        e = Unsafe.ReadUnaligned<Vector<float>>(d2) & mask;
        a20 = Vector.FusedMultiplyAdd(e, v0, a20);
        a21 = Vector.FusedMultiplyAdd(e, v1, a21);
        e = Unsafe.ReadUnaligned<Vector<float>>(d3) & mask;
        a30 = Vector.FusedMultiplyAdd(e, v0, a30);
        a31 = Vector.FusedMultiplyAdd(e, v1, a31);
    }

    /// <summary>Adds one channel's sums for the tap pair (tap, tap + 1), if the channel is in the block and the pair is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float** sums, int count, int slot, int tap, bool pair, float first, float second)
    {
        if (slot >= count)
        {
            return;
        }

        sums[slot][tap] += first;
        if (pair)
        {
            sums[slot][tap + 1] += second;
        }
    }
}
