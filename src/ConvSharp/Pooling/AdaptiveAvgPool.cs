namespace ConvSharp.Pooling;

/// <summary>
/// Adaptive average pooling, as PyTorch's CPU kernel: output (oh, ow) averages rows
/// [⌊oh·H/OH⌋, ⌈(oh + 1)·H/OH⌉) and the columns likewise, so windows may overlap and, for an
/// output larger than the input, repeat rows. Sum row by row in float32, then ÷ kh ÷ kw.
/// </summary>
internal static class AdaptiveAvgPool
{
    public static void Forward(PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, int planes)
    {
        for (var p = 0; p < planes; p++)
        {
            var plane = input.Slice(p * g.PlaneSize, g.PlaneSize);
            var outPlane = output.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var h0 = PoolGeometries.AdaptiveStart(oh, g.OH, g.H);
                var h1 = PoolGeometries.AdaptiveEnd(oh, g.OH, g.H);
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var w0 = PoolGeometries.AdaptiveStart(ow, g.OW, g.W);
                    var w1 = PoolGeometries.AdaptiveEnd(ow, g.OW, g.W);
                    var sum = 0f;
                    for (var ih = h0; ih < h1; ih++)
                    {
                        foreach (var value in plane.Slice((ih * g.W) + w0, w1 - w0))
                        {
                            sum += value;
                        }
                    }

                    outPlane[(oh * g.OW) + ow] = sum / (h1 - h0) / (w1 - w0);
                }
            }
        }
    }

    /// <summary>Spreads each output gradient ÷ kh ÷ kw over its window; <paramref name="gradInput"/> is overwritten.</summary>
    public static void Backward(PoolGeometry g, ReadOnlySpan<float> gradOutput, Span<float> gradInput, int planes)
    {
        gradInput[..(planes * g.PlaneSize)].Clear();
        for (var p = 0; p < planes; p++)
        {
            var plane = gradInput.Slice(p * g.PlaneSize, g.PlaneSize);
            var outPlane = gradOutput.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var h0 = PoolGeometries.AdaptiveStart(oh, g.OH, g.H);
                var h1 = PoolGeometries.AdaptiveEnd(oh, g.OH, g.H);
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var w0 = PoolGeometries.AdaptiveStart(ow, g.OW, g.W);
                    var w1 = PoolGeometries.AdaptiveEnd(ow, g.OW, g.W);
                    var delta = outPlane[(oh * g.OW) + ow] / (h1 - h0) / (w1 - w0);
                    for (var ih = h0; ih < h1; ih++)
                    {
                        foreach (ref var value in plane.Slice((ih * g.W) + w0, w1 - w0))
                        {
                            value += delta;
                        }
                    }
                }
            }
        }
    }
}
