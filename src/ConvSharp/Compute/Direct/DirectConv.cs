using System.Numerics;
using System.Runtime.CompilerServices;
using ConvSharp.Compute.Parallel;
using ConvSharp.Convolution;

namespace ConvSharp.Compute.Direct;

/// <summary>
/// Direct convolution for filters where every output channel reads one input channel
/// (C/groups = 1: single-channel image filters and depthwise layers). There is no reduction
/// over channels for a GEMM to exploit, so the kernel slides over the image instead: bands of
/// output rows, each reading a zero-padded copy of its input rows (<see cref="PaddedBand"/>),
/// with 4 <see cref="Vector{T}"/> accumulators per row segment and one broadcast weight per tap:
/// <code>
///   for each tap (kh, kw):  acc[0..3] += w[kh, kw] × band[row + kh·d, x + kw·d + 0..4V]
/// </code>
/// One load per FMA, all from L1. Stride 2+ and short rows take the scalar loop. Must match
/// <see cref="Reference.ConvReference"/> within float rounding.
/// </summary>
internal static unsafe class DirectConv
{
    /// <summary>Floats of padded input per band: small enough to stay in L2.</summary>
    private const int BandFloats = 1 << 15;

    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        var bandRows = BandHeight(g);
        var bands = (g.OH + bandRows - 1) / bandRows;
        var geometry = g;
        var taps = g.KH * g.KW;
        ParallelRunner.For(g.N * g.OC * bands, Threads(g, plan), task =>
        {
            var (plane, band) = (task / bands, task % bands);
            var (image, oc) = (plane / geometry.OC, plane % geometry.OC);
            var channel = oc / geometry.GroupOutChannels;
            var y0 = band * bandRows;
            var y1 = Math.Min(y0 + bandRows, geometry.OH);
            var source = input + ((((nint)image * geometry.C) + channel) * geometry.H * geometry.W);
            var destination = output + ((((nint)image * geometry.OC) + oc) * geometry.OH * geometry.OW);
            using var scratch = Workspace.Rent((long)PaddedBand.Rows(geometry, y0, y1) * PaddedBand.Width(geometry));
            PaddedBand.Fill(geometry, source, y0, y1, scratch.Pointer);
            Band(geometry, scratch.Pointer, weight + ((nint)oc * taps), bias == null ? 0f : bias[oc], y0, y1, destination);
        });
    }

    /// <summary>
    /// dW[oc, kh, kw] = Σ dY[n, oc, y, x]·X[n, c, y·s − p + kh·d, x·s − p + kw·d]: per band a partial
    /// sum, then the bands and images added in a fixed order, so the thread count cannot change the result.
    /// </summary>
    public static void BackwardWeight(in ConvGeometry g, in ConvPlan plan, float* gradOutput, float* input, float* gradWeight)
    {
        var bandRows = BandHeight(g);
        var bands = (g.OH + bandRows - 1) / bandRows;
        var taps = g.KH * g.KW;
        using var partials = Workspace.Rent((long)g.OC * bands * taps);
        var partial = partials.Pointer;
        var geometry = g;
        ParallelRunner.For(g.OC * bands, Threads(g, plan), task =>
        {
            var (oc, band) = (task / bands, task % bands);
            var channel = oc / geometry.GroupOutChannels;
            var y0 = band * bandRows;
            var y1 = Math.Min(y0 + bandRows, geometry.OH);
            var sums = partial + ((nint)task * taps);
            new Span<float>(sums, taps).Clear();
            using var scratch = Workspace.Rent((long)PaddedBand.Rows(geometry, y0, y1) * PaddedBand.Width(geometry));
            for (var image = 0; image < geometry.N; image++)
            {
                var source = input + ((((nint)image * geometry.C) + channel) * geometry.H * geometry.W);
                var dy = gradOutput + ((((nint)image * geometry.OC) + oc) * geometry.OH * geometry.OW);
                PaddedBand.Fill(geometry, source, y0, y1, scratch.Pointer);
                WeightBand(geometry, scratch.Pointer, dy, y0, y1, sums);
            }
        });

        for (var oc = 0; oc < g.OC; oc++)
        {
            var sum = new Span<float>(gradWeight + ((nint)oc * taps), taps);
            sum.Clear();
            for (var band = 0; band < bands; band++)
            {
                VectorMath.AddInPlace(sum, new ReadOnlySpan<float>(partial + ((((nint)oc * bands) + band) * taps), taps));
            }
        }
    }

    private static int BandHeight(in ConvGeometry g)
    {
        var perRow = PaddedBand.Width(g) * g.StrideH;
        return Math.Clamp((BandFloats / Math.Max(perRow, 1)) - g.DilatedKH, 1, g.OH);
    }

    /// <summary>Spreading a small problem over threads costs more than it saves.</summary>
    private static int Threads(in ConvGeometry g, in ConvPlan plan) =>
        (long)g.N * g.OC * g.OH * g.OW * g.KH * g.KW < WorkPartition.MinimumWorkPerItem ? 1 : plan.Threads;

    /// <summary>Output rows [y0, y1) of one plane from its padded band.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Band(in ConvGeometry g, float* band, float* w, float bias, int y0, int y1, float* output)
    {
        var width = PaddedBand.Width(g);
        var lanes = Vector<float>.Count;
        var block = 4 * lanes;
        var vectorised = Vector.IsHardwareAccelerated && g.StrideW == 1;
        for (var y = y0; y < y1; y++)
        {
            var top = band + ((nint)(y - y0) * g.StrideH * width);
            var row = output + ((nint)y * g.OW);
            var x = 0;
            if (vectorised)
            {
                for (; x + block <= g.OW; x += block)
                {
                    var a0 = new Vector<float>(bias);
                    var a1 = a0;
                    var a2 = a0;
                    var a3 = a0;
                    for (var kh = 0; kh < g.KH; kh++)
                    {
                        var source = top + ((nint)kh * g.DilationH * width) + x;
                        for (var kw = 0; kw < g.KW; kw++)
                        {
                            var tap = new Vector<float>(w[(kh * g.KW) + kw]);
                            var s = source + (kw * g.DilationW);
                            a0 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s), tap, a0);
                            a1 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + lanes), tap, a1);
                            a2 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + (2 * lanes)), tap, a2);
                            a3 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(s + (3 * lanes)), tap, a3);
                        }
                    }

                    Unsafe.WriteUnaligned(row + x, a0);
                    Unsafe.WriteUnaligned(row + x + lanes, a1);
                    Unsafe.WriteUnaligned(row + x + (2 * lanes), a2);
                    Unsafe.WriteUnaligned(row + x + (3 * lanes), a3);
                }

                for (; x + lanes <= g.OW; x += lanes)
                {
                    var a0 = new Vector<float>(bias);
                    for (var kh = 0; kh < g.KH; kh++)
                    {
                        var source = top + ((nint)kh * g.DilationH * width) + x;
                        for (var kw = 0; kw < g.KW; kw++)
                        {
                            a0 = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(source + (kw * g.DilationW)), new Vector<float>(w[(kh * g.KW) + kw]), a0);
                        }
                    }

                    Unsafe.WriteUnaligned(row + x, a0);
                }
            }

            for (; x < g.OW; x++)
            {
                var sum = bias;
                for (var kh = 0; kh < g.KH; kh++)
                {
                    var source = top + ((nint)kh * g.DilationH * width) + (x * g.StrideW);
                    for (var kw = 0; kw < g.KW; kw++)
                    {
                        sum = MathF.FusedMultiplyAdd(source[kw * g.DilationW], w[(kh * g.KW) + kw], sum);
                    }
                }

                row[x] = sum;
            }
        }
    }

    /// <summary>Adds this band's Σ dY·X for every tap into <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightBand(in ConvGeometry g, float* band, float* gradOutput, int y0, int y1, float* sums)
    {
        var width = PaddedBand.Width(g);
        var lanes = Vector<float>.Count;
        var vectorised = Vector.IsHardwareAccelerated && g.StrideW == 1;
        for (var kh = 0; kh < g.KH; kh++)
        {
            for (var kw = 0; kw < g.KW; kw++)
            {
                var total = Vector<float>.Zero;
                var scalar = 0f;
                for (var y = y0; y < y1; y++)
                {
                    var source = band + ((nint)(((y - y0) * g.StrideH) + (kh * g.DilationH)) * width) + (kw * g.DilationW);
                    var dy = gradOutput + ((nint)y * g.OW);
                    var x = 0;
                    if (vectorised)
                    {
                        for (; x + lanes <= g.OW; x += lanes)
                        {
                            total = Vector.FusedMultiplyAdd(Unsafe.ReadUnaligned<Vector<float>>(dy + x), Unsafe.ReadUnaligned<Vector<float>>(source + x), total);
                        }
                    }

                    for (; x < g.OW; x++)
                    {
                        scalar = MathF.FusedMultiplyAdd(dy[x], source[x * g.StrideW], scalar);
                    }
                }

                sums[(kh * g.KW) + kw] += Vector.Sum(total) + scalar;
            }
        }
    }
}
