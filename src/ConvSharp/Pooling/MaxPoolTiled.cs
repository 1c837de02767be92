using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ConvSharp.Pooling;

/// <summary>
/// Max pooling for <see cref="PoolGeometry.IsTiled"/> geometries (stride = kernel, no padding
/// or dilation, every window inside the plane), with the same results and indices as
/// <see cref="MaxPoolReference"/>: the same taps in the same order, compared the same way.
/// Windows two columns wide (2×2/2, LeNet's) take four outputs per step on 128-bit vectors,
/// splitting each row into its even and odd columns; other widths run a scalar loop without
/// the reference's clipping. Nothing is allocated.
/// </summary>
internal static class MaxPoolTiled
{
    public static void Forward(PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, Span<int> indices, int planes)
    {
        for (var p = 0; p < planes; p++)
        {
            var plane = input.Slice(p * g.PlaneSize, g.PlaneSize);
            var outPlane = output.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            var indexPlane = indices.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var ow = g.KW == 2 && PairLanes.IsSupported ? PairsOfColumns(g, plane, outPlane, indexPlane, oh) : 0;
                for (; ow < g.OW; ow++)
                {
                    var row = oh * g.KH;
                    var col = ow * g.KW;
                    var best = float.NegativeInfinity;
                    var at = (row * g.W) + col;
                    for (var kh = 0; kh < g.KH; kh++)
                    {
                        var rowStart = ((row + kh) * g.W) + col;
                        var taps = plane.Slice(rowStart, g.KW);
                        for (var kw = 0; kw < taps.Length; kw++)
                        {
                            var value = taps[kw];
                            if (value > best || float.IsNaN(value))
                            {
                                best = value;
                                at = rowStart + kw;
                            }
                        }
                    }

                    outPlane[(oh * g.OW) + ow] = best;
                    indexPlane[(oh * g.OW) + ow] = at;
                }
            }
        }
    }

    /// <summary>Output row <paramref name="oh"/> of a KH×2 pooling, four outputs at a time; returns the first column left for the scalar loop.</summary>
    private static int PairsOfColumns(PoolGeometry g, ReadOnlySpan<float> plane, Span<float> outPlane, Span<int> indexPlane, int oh)
    {
        ref var source = ref MemoryMarshal.GetReference(plane);
        var lanes = Vector128.Create(0, 2, 4, 6);
        var ow = 0;
        // Four outputs read columns 2·ow … 2·ow + 7, all inside the row since 2·OW ≤ W.
        for (; ow + 4 <= g.OW; ow += 4)
        {
            var best = Vector128.Create(float.NegativeInfinity);
            var at = Vector128.Create((oh * g.KH * g.W) + (2 * ow)) + lanes;
            for (var kh = 0; kh < g.KH; kh++)
            {
                var rowStart = (((oh * g.KH) + kh) * g.W) + (2 * ow);
                var (even, odd) = PairLanes.Unzip(
                    Vector128.LoadUnsafe(ref source, (nuint)rowStart), Vector128.LoadUnsafe(ref source, (nuint)(rowStart + 4)));
                var evenAt = Vector128.Create(rowStart) + lanes;
                Take(ref best, ref at, even, evenAt);
                Take(ref best, ref at, odd, evenAt + Vector128<int>.One);
            }

            best.CopyTo(outPlane.Slice((oh * g.OW) + ow, 4));
            at.CopyTo(indexPlane.Slice((oh * g.OW) + ow, 4));
        }

        return ow;
    }

    /// <summary>The reference's step on four windows at once: a tap replaces the maximum when greater or NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref Vector128<float> best, ref Vector128<int> at, Vector128<float> value, Vector128<int> index)
    {
        var wins = Vector128.GreaterThan(value, best) | ~Vector128.Equals(value, value);
        best = Vector128.ConditionalSelect(wins, value, best);
        at = Vector128.ConditionalSelect(wins.AsInt32(), index, at);
    }
}
