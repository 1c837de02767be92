using ConvSharp.Compute;

namespace ConvSharp.Tests.Support;

/// <summary>
/// The convolution's definition at single positions, summed in double: checks a call on shapes
/// whose whole reference (<see cref="ConvSharp.Compute.Reference.ConvReference"/>) would take
/// minutes, at a seeded sample of its results (the first and last included).
/// </summary>
internal static class ConvProbe
{
    /// <summary>Seeded positions in [0, <paramref name="length"/>): the first, the last and <paramref name="count"/> others.</summary>
    public static int[] Positions(long length, int count, int seed)
    {
        var random = new System.Random(seed);
        return [.. new[] { 0L, length - 1 }.Concat(Enumerable.Range(0, count).Select(_ => random.NextInt64(length))).Select(i => (int)i).Distinct()];
    }

    /// <summary>The result of <paramref name="direction"/> at flat index <paramref name="at"/>, by the definition.</summary>
    public static double At(in ConvGeometry g, ConvDirection direction, float[] x, float[] w, float[] dy, int at) => direction switch
    {
        ConvDirection.Forward => Forward(g, x, w, at),
        ConvDirection.BackwardInput => BackwardInput(g, dy, w, at),
        _ => BackwardWeight(g, dy, x, at),
    };

    /// <summary>y[n, oc, y, x] = Σ over the group's channels and the taps of x·w (no bias).</summary>
    private static double Forward(in ConvGeometry g, float[] x, float[] w, int at)
    {
        var (n, oc, oy, ox) = Split(at, g.OC, g.OH, g.OW);
        var group = oc / g.GroupOutChannels;
        var sum = 0.0;
        for (var ci = 0; ci < g.GroupChannels; ci++)
        {
            for (var kh = 0; kh < g.KH; kh++)
            {
                for (var kw = 0; kw < g.KW; kw++)
                {
                    var (ih, iw) = (((long)oy * g.StrideH) - g.PadTop + ((long)kh * g.DilationH), ((long)ox * g.StrideW) - g.PadLeft + ((long)kw * g.DilationW));
                    if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W)
                    {
                        var c = (group * g.GroupChannels) + ci;
                        sum += (double)x[((((long)n * g.C) + c) * g.H * g.W) + (ih * g.W) + iw] * w[((((long)oc * g.GroupChannels) + ci) * g.KH * g.KW) + (kh * g.KW) + kw];
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>dx[n, c, ih, iw] = Σ over the group's output channels and the taps that read it of dy·w.</summary>
    private static double BackwardInput(in ConvGeometry g, float[] dy, float[] w, int at)
    {
        var (n, c, ih, iw) = Split(at, g.C, g.H, g.W);
        var (group, ci) = (c / g.GroupChannels, c % g.GroupChannels);
        var sum = 0.0;
        for (var o = 0; o < g.GroupOutChannels; o++)
        {
            var oc = (group * g.GroupOutChannels) + o;
            for (var kh = 0; kh < g.KH; kh++)
            {
                var rows = ih + g.PadTop - ((long)kh * g.DilationH);
                if (rows < 0 || rows % g.StrideH != 0 || rows / g.StrideH >= g.OH)
                {
                    continue;
                }

                for (var kw = 0; kw < g.KW; kw++)
                {
                    var columns = iw + g.PadLeft - ((long)kw * g.DilationW);
                    if (columns >= 0 && columns % g.StrideW == 0 && columns / g.StrideW < g.OW)
                    {
                        var (oy, ox) = (rows / g.StrideH, columns / g.StrideW);
                        sum += (double)dy[((((long)n * g.OC) + oc) * g.OH * g.OW) + (oy * g.OW) + ox] * w[((((long)oc * g.GroupChannels) + ci) * g.KH * g.KW) + (kh * g.KW) + kw];
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>dw[oc, ci, kh, kw] = Σ over images and output positions of dy·x.</summary>
    private static double BackwardWeight(in ConvGeometry g, float[] dy, float[] x, int at)
    {
        var (oc, ci, kh, kw) = Split(at, g.GroupChannels, g.KH, g.KW);
        var c = (oc / g.GroupOutChannels * g.GroupChannels) + ci;
        var sum = 0.0;
        for (var n = 0; n < g.N; n++)
        {
            for (var oy = 0; oy < g.OH; oy++)
            {
                var ih = ((long)oy * g.StrideH) - g.PadTop + ((long)kh * g.DilationH);
                if (ih < 0 || ih >= g.H)
                {
                    continue;
                }

                for (var ox = 0; ox < g.OW; ox++)
                {
                    var iw = ((long)ox * g.StrideW) - g.PadLeft + ((long)kw * g.DilationW);
                    if (iw >= 0 && iw < g.W)
                    {
                        sum += (double)dy[((((long)n * g.OC) + oc) * g.OH * g.OW) + ((long)oy * g.OW) + ox] * x[((((long)n * g.C) + c) * g.H * g.W) + (ih * g.W) + iw];
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>The four coordinates of flat index <paramref name="at"/> in a tensor of (·, b, c, d).</summary>
    private static (int, int, int, int) Split(int at, int b, int c, int d) =>
        (at / d / c / b, at / d / c % b, at / d % c, at % d);
}
