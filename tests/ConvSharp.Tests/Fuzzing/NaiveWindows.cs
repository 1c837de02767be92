namespace ConvSharp.Tests.Fuzzing;

/// <summary>
/// The sliding-window operations written from their definitions in 64-bit index arithmetic,
/// sharing nothing with the library (not even its geometry): the oracle of the geometry fuzz
/// tests, for arguments large enough to wrap a 32-bit product. Each returns null where the
/// arguments are illegal, so the tests know whether the library must refuse them.
/// </summary>
internal static class NaiveWindows
{
    /// <summary>Whether PyTorch's rules allow this padding of an axis of <paramref name="size"/> in <paramref name="mode"/>.</summary>
    public static bool BorderIsLegal(long size, long before, long after, PaddingMode mode)
    {
        if ((before < 0 || after < 0) && mode != PaddingMode.Zeros)
        {
            return false;
        }

        return before + size + after >= 0 && mode switch
        {
            PaddingMode.Reflect => before < size && after < size,
            PaddingMode.Circular or PaddingMode.Symmetric => before <= size && after <= size,
            PaddingMode.Replicate => size > 0 || before + after == 0,
            _ => true,
        };
    }

    /// <summary>Where each padded position reads from (PyTorch's rule), or −1 for the constant border; null unless <paramref name="build"/>.</summary>
    public static long[]? BorderMap(long size, long before, long after, PaddingMode mode, bool build)
    {
        if (!build || !BorderIsLegal(size, before, after, mode))
        {
            return null;
        }

        var length = before + size + after;
        var map = new long[length];
        for (var i = 0L; i < length; i++)
        {
            var p = i - before;
            map[i] = mode switch
            {
                PaddingMode.Zeros => p >= 0 && p < size ? p : -1,
                PaddingMode.Replicate => Math.Clamp(p, 0, size - 1),
                PaddingMode.Circular => ((p % size) + size) % size,
                PaddingMode.Reflect => p < 0 ? -p : p >= size ? (2 * (size - 1)) - p : p,
                _ => p < 0 ? -p - 1 : p >= size ? (2 * size) - 1 - p : p,
            };
        }

        return map;
    }

    /// <summary>F.pad of (…, H, W) by (left, right, top, bottom).</summary>
    public static float[] Pad(float[] x, int[] shape, long[] rows, long[] columns, float value)
    {
        var (h, w) = (shape[^2], shape[^1]);
        var planes = shape[..^2].Aggregate(1L, (a, b) => a * b);
        var result = new float[planes * rows.Length * columns.Length];
        var o = 0;
        for (var p = 0L; p < planes; p++)
        {
            foreach (var r in rows)
            {
                foreach (var c in columns)
                {
                    result[o++] = r < 0 || c < 0 ? value : x[(((p * h) + r) * w) + c];
                }
            }
        }

        return result;
    }

    /// <summary>
    /// conv2d by its definition, with the gradients of Σ output·probe for input and weight.
    /// The border is read through the two maps (padded position → source, −1 for zero).
    /// </summary>
    public static (float[] Output, float[] GradInput, float[] GradWeight) Conv2d(
        float[] x, int[] xs, float[] w, int[] ws, float[]? bias, long[] rowMap, long[] columnMap,
        (long H, long W) stride, (long H, long W) dilation, int groups, long oh, long ow, float[] probe)
    {
        var (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3]);
        var (oc, cg, kh, kw) = (ws[0], ws[1], ws[2], ws[3]);
        var ocg = oc / groups;
        var output = new double[n * oc * oh * ow];
        var gradInput = new double[x.Length];
        var gradWeight = new double[w.Length];
        for (long b = 0; b < n; b++)
        {
            for (long o = 0; o < oc; o++)
            {
                var group = o / ocg;
                for (long y = 0; y < oh; y++)
                {
                    for (long xo = 0; xo < ow; xo++)
                    {
                        var at = (((((b * oc) + o) * oh) + y) * ow) + xo;
                        var sum = bias is null ? 0.0 : bias[o];
                        for (long ci = 0; ci < cg; ci++)
                        {
                            var channel = (group * cg) + ci;
                            for (long i = 0; i < kh; i++)
                            {
                                var row = rowMap[(y * stride.H) + (i * dilation.H)];
                                for (long j = 0; j < kw; j++)
                                {
                                    var column = columnMap[(xo * stride.W) + (j * dilation.W)];
                                    if (row < 0 || column < 0)
                                    {
                                        continue;
                                    }

                                    var xi = (((((b * c) + channel) * h) + row) * wd) + column;
                                    var wi = (((((o * cg) + ci) * kh) + i) * kw) + j;
                                    sum += (double)x[xi] * w[wi];
                                    gradInput[xi] += (double)probe[at] * w[wi];
                                    gradWeight[wi] += (double)probe[at] * x[xi];
                                }
                            }
                        }

                        output[at] = sum;
                    }
                }
            }
        }

        return (ToFloats(output), ToFloats(gradInput), ToFloats(gradWeight));
    }

    /// <summary>conv_transpose2d by its definition: every input value spreads over a KH×KW patch of the output.</summary>
    public static float[] ConvTranspose2d(
        float[] x, int[] xs, float[] w, int[] ws, (long H, long W) stride, (long H, long W) padding, (long H, long W) dilation, int groups, long oh, long ow)
    {
        var (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3]);
        var (ocg, kh, kw) = (ws[1], ws[2], ws[3]);
        var cg = c / groups;
        var oc = ocg * groups;
        var output = new double[n * oc * oh * ow];
        for (long b = 0; b < n; b++)
        {
            for (long ci = 0; ci < c; ci++)
            {
                var group = ci / cg;
                for (long y = 0; y < h; y++)
                {
                    for (long xo = 0; xo < wd; xo++)
                    {
                        var value = (double)x[(((((b * c) + ci) * h) + y) * wd) + xo];
                        for (long o = 0; o < ocg; o++)
                        {
                            for (long i = 0; i < kh; i++)
                            {
                                var row = (y * stride.H) - padding.H + (i * dilation.H);
                                for (long j = 0; j < kw; j++)
                                {
                                    var column = (xo * stride.W) - padding.W + (j * dilation.W);
                                    if (row >= 0 && row < oh && column >= 0 && column < ow)
                                    {
                                        var channel = (group * ocg) + o;
                                        output[(((((b * oc) + channel) * oh) + row) * ow) + column] += value * w[(((((ci * ocg) + o) * kh) + i) * kw) + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return ToFloats(output);
    }

    /// <summary>unfold (fold = false) or fold (fold = true) of (N, C, H, W) ↔ (N, C·KH·KW, OH·OW) with zero padding.</summary>
    public static float[] Windows(
        float[] source, int n, int c, long h, long w, (long H, long W) kernel, (long H, long W) stride, (long H, long W) padding, (long H, long W) dilation,
        long oh, long ow, bool fold)
    {
        var taps = kernel.H * kernel.W;
        var blocks = oh * ow;
        var result = new double[fold ? n * c * h * w : n * c * taps * blocks];
        for (long b = 0; b < n; b++)
        {
            for (long ci = 0; ci < c; ci++)
            {
                for (long i = 0; i < kernel.H; i++)
                {
                    for (long j = 0; j < kernel.W; j++)
                    {
                        for (long y = 0; y < oh; y++)
                        {
                            var row = (y * stride.H) - padding.H + (i * dilation.H);
                            for (long xo = 0; xo < ow; xo++)
                            {
                                var column = (xo * stride.W) - padding.W + (j * dilation.W);
                                if (row < 0 || row >= h || column < 0 || column >= w)
                                {
                                    continue;
                                }

                                var image = (((((b * c) + ci) * h) + row) * w) + column;
                                var col = (((((b * c) + ci) * taps) + (i * kernel.W) + j) * blocks) + (y * ow) + xo;
                                if (fold)
                                {
                                    result[image] += source[col];
                                }
                                else
                                {
                                    result[col] = source[image];
                                }
                            }
                        }
                    }
                }
            }
        }

        return ToFloats(result);
    }

    private static float[] ToFloats(double[] values) => Array.ConvertAll(values, v => (float)v);
}
