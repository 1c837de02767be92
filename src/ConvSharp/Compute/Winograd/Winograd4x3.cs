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
/// </summary>
internal static unsafe class Winograd4x3
{
    private const int Alpha = 6;
    private const int Points = Alpha * Alpha;

    /// <summary>The most floats of transformed input and products one work item may hold.</summary>
    private const int ItemFloats = 1 << 20;

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

    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        var blocking = GemmBlocking.For(plan.Kernel);
        var (m, c) = (g.GroupOutChannels, g.GroupChannels);
        var (tilesH, tilesW) = ((g.OH + 3) / 4, (g.OW + 3) / 4);
        var tiles = tilesH * tilesW;

        // U[group][ξ] = (G g Gᵀ)[ξ] for every (oc, c), packed as the GEMM's A.
        var packedSize = Sgemm.PackedASize(blocking, m, c);
        using var packedFilters = Workspace.Rent((long)g.Groups * Points * packedSize);
        using (var filters = Workspace.Rent((long)Points * m * c))
        {
            for (var group = 0; group < g.Groups; group++)
            {
                TransformFilters(weight + ((nint)group * m * c * 9), m, c, filters.Pointer);
                for (var point = 0; point < Points; point++)
                {
                    var packed = packedFilters.Pointer + ((((nint)group * Points) + point) * packedSize);
                    Sgemm.PackA(blocking, filters.Pointer + ((nint)point * m * c), c, 1, m, c, packed);
                }
            }
        }

        // Work items: (image, group, run of tiles), the run bounded so its transforms stay small.
        var perTile = Points * (m + c);
        var run = Math.Clamp(ItemFloats / perTile / blocking.NR * blocking.NR, blocking.NR, Math.Max(blocking.NR, (tiles + blocking.NR - 1) / blocking.NR * blocking.NR));
        var wanted = Math.Max(1, ((2 * plan.Threads) + (g.N * g.Groups) - 1) / (g.N * g.Groups));
        run = Math.Min(run, Math.Max(blocking.NR, (tiles + wanted - 1) / wanted / blocking.NR * blocking.NR));
        var runs = (tiles + run - 1) / run;
        var geometry = g;
        var filtersPointer = packedFilters.Pointer;
        ParallelRunner.For(g.N * g.Groups * runs, plan.Threads, task =>
        {
            var (image, group, t0) = (task / runs / geometry.Groups, task / runs % geometry.Groups, task % runs * run);
            var count = Math.Min(run, tiles - t0);
            var source = input + ((((nint)image * geometry.C) + ((nint)group * c)) * geometry.H * geometry.W);
            var destination = output + ((((nint)image * geometry.OC) + ((nint)group * m)) * geometry.OH * geometry.OW);
            using var transformed = Workspace.Rent((long)Points * c * count);
            using var products = Workspace.Rent((long)Points * m * count);
            using var packedB = Workspace.Rent(blocking.PackedBFloats(count));
            TransformInput(geometry, source, c, t0, count, tilesW, transformed.Pointer);
            for (var point = 0; point < Points; point++)
            {
                var panels = new StridedSource(transformed.Pointer + ((nint)point * c * count), count, 1);
                var a = filtersPointer + ((((nint)group * Points) + point) * packedSize);
                Sgemm.Compute(blocking, m, c, a, ref panels, 0, count, products.Pointer + ((nint)point * m * count), count, false, packedB.Pointer);
            }

            TransformOutput(geometry, products.Pointer, m, t0, count, tilesW, bias == null ? null : bias + ((nint)group * m), destination);
        });
    }

    /// <summary>U[ξ][oc, c] = (G g Gᵀ)[ξ], computed in double; U laid out as 36 matrices (m × c).</summary>
    private static void TransformFilters(float* weight, int m, int c, float* filters)
    {
        var gg = new double[Alpha, 3];
        for (var oc = 0; oc < m; oc++)
        {
            for (var ic = 0; ic < c; ic++)
            {
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
    /// V[ξ][c, t] = (Bᵀ d B)[ξ] for tiles t0..t0+count of each channel, d the 6×6 input block of the
    /// tile (zero outside the image). Bᵀ's rows, applied to a column d0..d5:
    /// 4d0 − 5d2 + d4; −4d1 − 4d2 + d3 + d4; 4d1 − 4d2 − d3 + d4; −2d1 − d2 + 2d3 + d4; 2d1 − d2 − 2d3 + d4; 4d1 − 5d3 + d5.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInput(in ConvGeometry g, float* image, int channels, int t0, int count, int tilesW, float* transformed)
    {
        var d = stackalloc float[Points];
        var t = stackalloc float[Points];
        var stride = (nint)channels * count;
        for (var ic = 0; ic < channels; ic++)
        {
            var plane = image + ((nint)ic * g.H * g.W);
            for (var k = 0; k < count; k++)
            {
                var tile = t0 + k;
                var y0 = (tile / tilesW * 4) - g.PadTop;
                var x0 = (tile % tilesW * 4) - g.PadLeft;
                LoadBlock(g, plane, y0, x0, d);
                for (var j = 0; j < Alpha; j++)
                {
                    BTransform(d + j, Alpha, t + j, Alpha);
                }

                var v = transformed + ((nint)ic * count) + k;
                for (var i = 0; i < Alpha; i++)
                {
                    BTransform(t + (i * Alpha), 1, v + (i * Alpha * stride), stride);
                }
            }
        }
    }

    /// <summary>Y = Aᵀ M A for each tile, plus the bias; only the part of the 4×4 block inside the output is written.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutput(in ConvGeometry g, float* products, int m, int t0, int count, int tilesW, float* bias, float* output)
    {
        var p = stackalloc float[Points];
        var t = stackalloc float[4 * Alpha];
        var y = stackalloc float[16];
        var stride = (nint)m * count;
        for (var oc = 0; oc < m; oc++)
        {
            var plane = output + ((nint)oc * g.OH * g.OW);
            var b = bias == null ? 0f : bias[oc];
            for (var k = 0; k < count; k++)
            {
                var source = products + ((nint)oc * count) + k;
                for (var i = 0; i < Points; i++)
                {
                    p[i] = source[i * stride];
                }

                for (var j = 0; j < Alpha; j++)
                {
                    ATransform(p + j, Alpha, t + j, Alpha);
                }

                for (var i = 0; i < 4; i++)
                {
                    ATransform(t + (i * Alpha), 1, y + (i * 4), 1);
                }

                var tile = t0 + k;
                var oy = tile / tilesW * 4;
                var ox = tile % tilesW * 4;
                for (var i = 0; i < 4 && oy + i < g.OH; i++)
                {
                    for (var j = 0; j < 4 && ox + j < g.OW; j++)
                    {
                        plane[((nint)(oy + i) * g.OW) + ox + j] = y[(i * 4) + j] + b;
                    }
                }
            }
        }
    }

    private static void LoadBlock(in ConvGeometry g, float* plane, int y0, int x0, float* d)
    {
        var inside = y0 >= 0 && x0 >= 0 && y0 + Alpha <= g.H && x0 + Alpha <= g.W;
        for (var i = 0; i < Alpha; i++)
        {
            var iy = y0 + i;
            for (var j = 0; j < Alpha; j++)
            {
                var ix = x0 + j;
                d[(i * Alpha) + j] = inside || ((uint)iy < (uint)g.H && (uint)ix < (uint)g.W) ? plane[((nint)iy * g.W) + ix] : 0f;
            }
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
