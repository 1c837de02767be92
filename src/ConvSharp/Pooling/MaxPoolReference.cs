namespace ConvSharp.Pooling;

/// <summary>
/// Max pooling as PyTorch's CPU kernel computes it, one window at a time: the readable loops
/// that run every geometry the fast kernels do not, and that the tests check them against.
/// Within a window taps are visited row by row; a tap replaces the running maximum when it is
/// greater or NaN, so the first of equal maxima keeps the index and NaN wins (the last NaN of a
/// window, exactly as PyTorch). Windows are clipped to the plane, which is PyTorch's −∞ padding.
/// A window that holds only padding gives −∞ and index −1, and passes no gradient back.
/// </summary>
internal static class MaxPoolReference
{
    /// <summary>Pools <paramref name="planes"/> consecutive planes of <paramref name="input"/>; indices are flat within each plane (h·W + w).</summary>
    public static void Forward(PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, Span<int> indices, int planes)
    {
        for (var p = 0; p < planes; p++)
        {
            var plane = input.Slice(p * g.PlaneSize, g.PlaneSize);
            var outPlane = output.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            var indexPlane = indices.Slice(p * g.OutputPlaneSize, g.OutputPlaneSize);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var (h0, h1) = Taps(oh, g.SH, g.PH, g.KH, g.DH, g.H);
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var (w0, w1) = Taps(ow, g.SW, g.PW, g.KW, g.DW, g.W);
                    var best = float.NegativeInfinity;
                    var at = h0 < h1 && w0 < w1 ? (int)((h0 * g.W) + w0) : -1;
                    for (var ih = h0; ih < h1; ih += g.DH)
                    {
                        for (var iw = w0; iw < w1; iw += g.DW)
                        {
                            var index = (int)((ih * g.W) + iw);
                            var value = plane[index];
                            if (value > best || float.IsNaN(value))
                            {
                                best = value;
                                at = index;
                            }
                        }
                    }

                    outPlane[(oh * g.OW) + ow] = best;
                    indexPlane[(oh * g.OW) + ow] = at;
                }
            }
        }
    }

    /// <summary>Adds each output gradient into the input element its window took the maximum from; <paramref name="gradInput"/> is overwritten.</summary>
    public static void Backward(PoolGeometry g, ReadOnlySpan<float> gradOutput, ReadOnlySpan<int> indices, Span<float> gradInput, int planes)
    {
        gradInput[..(planes * g.PlaneSize)].Clear();
        for (var p = 0; p < planes; p++)
        {
            var plane = gradInput.Slice(p * g.PlaneSize, g.PlaneSize);
            var offset = p * g.OutputPlaneSize;
            for (var o = 0; o < g.OutputPlaneSize; o++)
            {
                var index = indices[offset + o];
                if (index >= 0)
                {
                    plane[index] += gradOutput[offset + o];
                }
            }
        }
    }

    /// <summary>
    /// The taps [first, end) of window <paramref name="o"/> on one axis that lie inside the
    /// input, stepping by <paramref name="dilation"/>: the first is moved forward by whole
    /// dilations until it is not in the left padding. In 64 bits: nothing here can wrap.
    /// </summary>
    public static (long First, long End) Taps(int o, int stride, int pad, int kernel, int dilation, int size)
    {
        var start = ((long)o * stride) - pad;
        var end = Math.Min(start + ((long)(kernel - 1) * dilation) + 1, size);
        if (start < 0)
        {
            start += (-start + dilation - 1) / dilation * dilation;
        }

        return (start, end);
    }
}
