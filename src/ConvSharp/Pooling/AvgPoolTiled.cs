using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ConvSharp.Pooling;

/// <summary>
/// Average pooling for <see cref="PoolGeometry.IsTiled"/> geometries, with the same results as
/// <see cref="AvgPoolReference"/>: each window lies inside the plane, so both divisors are
/// KH·KW (unless overridden), the sum runs in the same order, and in backward each input
/// element receives from at most one window, so it is written once instead of accumulated.
/// Windows two columns wide take four outputs per step on 128-bit vectors. Nothing is allocated.
/// </summary>
internal static class AvgPoolTiled
{
    public static void Forward(PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, AvgPoolOptions options, int planes)
    {
        float divisor = options.DivisorOverride ?? (g.KH * g.KW);
        var vectorDivisor = Vector128.Create(divisor);
        var vectors = g.KW == 2 && PairLanes.IsSupported ? g.OW / 4 * 4 : 0;
        for (var p = 0; p < planes; p++)
        {
            var plane = input.Slice(p * g.PlaneSize, g.PlaneSize);
            ref var source = ref MemoryMarshal.GetReference(plane);
            var outPlane = output.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var ow = 0;
                for (; ow < vectors; ow += 4)
                {
                    var sum = Vector128<float>.Zero;
                    for (var kh = 0; kh < g.KH; kh++)
                    {
                        var rowStart = (((oh * g.KH) + kh) * g.W) + (2 * ow);
                        var (even, odd) = PairLanes.Unzip(
                            Vector128.LoadUnsafe(ref source, (nuint)rowStart), Vector128.LoadUnsafe(ref source, (nuint)(rowStart + 4)));
                        sum = sum + even + odd;
                    }

                    (sum / vectorDivisor).CopyTo(outPlane.Slice((oh * g.OW) + ow, 4));
                }

                for (; ow < g.OW; ow++)
                {
                    var sum = 0f;
                    for (var kh = 0; kh < g.KH; kh++)
                    {
                        foreach (var value in plane.Slice((((oh * g.KH) + kh) * g.W) + (ow * g.KW), g.KW))
                        {
                            sum += value;
                        }
                    }

                    outPlane[(oh * g.OW) + ow] = sum / divisor;
                }
            }
        }
    }

    /// <summary>Writes each output gradient ÷ divisor over its window, and zero over the rows and columns no window covers.</summary>
    public static void Backward(PoolGeometry g, ReadOnlySpan<float> gradOutput, Span<float> gradInput, AvgPoolOptions options, int planes)
    {
        float divisor = options.DivisorOverride ?? (g.KH * g.KW);
        var vectorDivisor = Vector128.Create(divisor);
        var vectors = g.KW == 2 && PairLanes.IsSupported ? g.OW / 4 * 4 : 0;
        var uncovered = g.OH * g.KH < g.H || g.OW * g.KW < g.W;
        for (var p = 0; p < planes; p++)
        {
            var plane = gradInput.Slice(p * g.PlaneSize, g.PlaneSize);
            ref var target = ref MemoryMarshal.GetReference(plane);
            var outPlane = gradOutput.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            if (uncovered)
            {
                plane.Clear();
            }

            for (var oh = 0; oh < g.OH; oh++)
            {
                var ow = 0;
                for (; ow < vectors; ow += 4)
                {
                    var (low, high) = PairLanes.Duplicate(Vector128.Create(outPlane.Slice((oh * g.OW) + ow, 4)) / vectorDivisor);
                    for (var kh = 0; kh < g.KH; kh++)
                    {
                        var rowStart = (((oh * g.KH) + kh) * g.W) + (2 * ow);
                        low.StoreUnsafe(ref target, (nuint)rowStart);
                        high.StoreUnsafe(ref target, (nuint)(rowStart + 4));
                    }
                }

                for (; ow < g.OW; ow++)
                {
                    var delta = outPlane[(oh * g.OW) + ow] / divisor;
                    for (var kh = 0; kh < g.KH; kh++)
                    {
                        plane.Slice((((oh * g.KH) + kh) * g.W) + (ow * g.KW), g.KW).Fill(delta);
                    }
                }
            }
        }
    }
}
