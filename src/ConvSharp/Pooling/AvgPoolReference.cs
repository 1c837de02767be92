namespace ConvSharp.Pooling;

/// <summary>
/// Average pooling as PyTorch's CPU kernel computes it, one window at a time (the loops that
/// run every geometry the fast kernels do not, and that the tests check them against). A window
/// is first clipped to the padded input — in ceil mode the last one may hang past it — and its
/// size there is the divisor when <c>count_include_pad</c>; then it is clipped to the input,
/// whose size is the divisor otherwise. A divisor override replaces both. The sum runs row by
/// row in float32, as PyTorch's.
/// </summary>
internal static class AvgPoolReference
{
    public static void Forward(PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, AvgPoolOptions options, int planes)
    {
        for (var p = 0; p < planes; p++)
        {
            var plane = input.Slice(p * g.PlaneSize, g.PlaneSize);
            var outPlane = output.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            for (var oh = 0; oh < g.OH; oh++)
            {
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var w = Window(g, oh, ow, options);
                    if (w.Divisor == 0)
                    {
                        outPlane[(oh * g.OW) + ow] = 0;
                        continue;
                    }

                    var sum = 0f;
                    for (var ih = w.H0; ih < w.H1; ih++)
                    {
                        for (var iw = w.W0; iw < w.W1; iw++)
                        {
                            sum += plane[(ih * g.W) + iw];
                        }
                    }

                    outPlane[(oh * g.OW) + ow] = sum / w.Divisor;
                }
            }
        }
    }

    /// <summary>Spreads each output gradient, divided by its window's divisor, over the window; <paramref name="gradInput"/> is overwritten.</summary>
    public static void Backward(PoolGeometry g, ReadOnlySpan<float> gradOutput, Span<float> gradInput, AvgPoolOptions options, int planes)
    {
        gradInput[..(planes * g.PlaneSize)].Clear();
        for (var p = 0; p < planes; p++)
        {
            var plane = gradInput.Slice(p * g.PlaneSize, g.PlaneSize);
            var outPlane = gradOutput.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            for (var oh = 0; oh < g.OH; oh++)
            {
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var w = Window(g, oh, ow, options);
                    if (w.Divisor == 0)
                    {
                        continue;
                    }

                    var delta = outPlane[(oh * g.OW) + ow] / w.Divisor;
                    for (var ih = w.H0; ih < w.H1; ih++)
                    {
                        for (var iw = w.W0; iw < w.W1; iw++)
                        {
                            plane[(ih * g.W) + iw] += delta;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Window (oh, ow) clipped to the input, and its divisor; divisor 0 when no element of the input is in it.</summary>
    private static (int H0, int H1, int W0, int W1, float Divisor) Window(PoolGeometry g, int oh, int ow, AvgPoolOptions options)
    {
        var h0 = ((long)oh * g.SH) - g.PH;
        var w0 = ((long)ow * g.SW) - g.PW;
        var h1 = Math.Min(h0 + g.KH, g.H + (long)g.PH);
        var w1 = Math.Min(w0 + g.KW, g.W + (long)g.PW);
        var padded = (h1 - h0) * (w1 - w0);
        h0 = Math.Max(h0, 0);
        w0 = Math.Max(w0, 0);
        h1 = Math.Min(h1, g.H);
        w1 = Math.Min(w1, g.W);
        if (h0 >= h1 || w0 >= w1)
        {
            return (0, 0, 0, 0, 0);
        }

        var divisor = options.DivisorOverride ?? (options.CountIncludePad ? padded : (h1 - h0) * (w1 - w0));
        return ((int)h0, (int)h1, (int)w0, (int)w1, divisor);
    }
}

/// <summary>avg_pool2d's two settings that the geometry does not hold.</summary>
internal readonly record struct AvgPoolOptions(bool CountIncludePad, int? DivisorOverride);
