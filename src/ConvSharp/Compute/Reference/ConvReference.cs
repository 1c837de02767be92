using System.Numerics;

namespace ConvSharp.Compute.Reference;

/// <summary>
/// Convolution by its definition, for every stride, dilation, zero padding and group count,
/// with sums in double. This is the oracle the fast algorithms are tested against, so each
/// direction is written from the definition (not as a transposed convolution) and none of them
/// shares code with a fast path. Keep it obvious; never optimise it.
/// </summary>
/// <remarks>
/// Output position (oh, ow) reads input row ih = oh·StrideH − PadTop + kh·DilationH and column
/// iw = ow·StrideW − PadLeft + kw·DilationW; positions outside the input read zero.
/// Output channel oc belongs to group oc / (OC/groups) and sees that group's C/groups channels.
/// All buffers are contiguous NCHW / (OC, C/groups, KH, KW). Generic over the element type
/// so the gradient checks can run the very same loops in double precision.
/// </remarks>
internal static class ConvReference
{
    /// <param name="g">the geometry</param>
    /// <param name="input">(N, C, H, W)</param>
    /// <param name="weight">(OC, C/groups, KH, KW)</param>
    /// <param name="bias">(OC), or empty for none</param>
    /// <param name="output">(N, OC, OH, OW), overwritten</param>
    public static void Forward<T>(
        in ConvGeometry g, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)
        where T : IFloatingPointIeee754<T>
    {
        var (oh, ow, cg) = (g.OH, g.OW, g.GroupChannels);
        for (var n = 0; n < g.N; n++)
        {
            for (var oc = 0; oc < g.OC; oc++)
            {
                var group = oc / g.GroupOutChannels;
                for (var y = 0; y < oh; y++)
                {
                    for (var x = 0; x < ow; x++)
                    {
                        var sum = bias.IsEmpty ? 0.0 : double.CreateTruncating(bias[oc]);
                        for (var ci = 0; ci < cg; ci++)
                        {
                            var c = (group * cg) + ci;
                            for (var kh = 0; kh < g.KH; kh++)
                            {
                                var ih = (y * g.StrideH) - g.PadTop + (kh * g.DilationH);
                                if (ih < 0 || ih >= g.H)
                                {
                                    continue;
                                }

                                for (var kw = 0; kw < g.KW; kw++)
                                {
                                    var iw = (x * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                    if (iw < 0 || iw >= g.W)
                                    {
                                        continue;
                                    }

                                    sum += double.CreateTruncating(input[Index4(n, c, ih, iw, g.C, g.H, g.W)]) *
                                           double.CreateTruncating(weight[Index4(oc, ci, kh, kw, cg, g.KH, g.KW)]);
                                }
                            }
                        }

                        output[Index4(n, oc, y, x, g.OC, oh, ow)] = T.CreateTruncating(sum);
                    }
                }
            }
        }
    }

    /// <summary>
    /// ∂L/∂input[n, c, ih, iw] = Σ gradOutput[n, oc, y, x] · weight[oc, ci, kh, kw] over every
    /// (oc, kh, kw) of c's group whose window position (y, x) read it: y·StrideH − PadTop +
    /// kh·DilationH = ih, likewise x. Each input element is summed on its own, so no buffer beyond
    /// the output is needed, whatever the sizes.
    /// </summary>
    /// <param name="g">the geometry</param>
    /// <param name="gradOutput">(N, OC, OH, OW)</param>
    /// <param name="weight">(OC, C/groups, KH, KW)</param>
    /// <param name="gradInput">(N, C, H, W), overwritten</param>
    public static void BackwardInput<T>(
        in ConvGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> weight, Span<T> gradInput)
        where T : IFloatingPointIeee754<T>
    {
        var (oh, ow, cg, og) = (g.OH, g.OW, g.GroupChannels, g.GroupOutChannels);
        for (var n = 0; n < g.N; n++)
        {
            for (var c = 0; c < g.C; c++)
            {
                var (group, ci) = (c / cg, c % cg);
                for (var ih = 0; ih < g.H; ih++)
                {
                    for (var iw = 0; iw < g.W; iw++)
                    {
                        var sum = 0.0;
                        for (var kh = 0; kh < g.KH; kh++)
                        {
                            // y·StrideH = ih + PadTop − kh·DilationH, in 64 bits: the tap may lie far in the padding.
                            var yStride = (long)ih + g.PadTop - ((long)kh * g.DilationH);
                            if (yStride < 0 || yStride % g.StrideH != 0 || yStride / g.StrideH >= oh)
                            {
                                continue;
                            }

                            var y = (int)(yStride / g.StrideH);
                            for (var kw = 0; kw < g.KW; kw++)
                            {
                                var xStride = (long)iw + g.PadLeft - ((long)kw * g.DilationW);
                                if (xStride < 0 || xStride % g.StrideW != 0 || xStride / g.StrideW >= ow)
                                {
                                    continue;
                                }

                                var x = (int)(xStride / g.StrideW);
                                for (var o = 0; o < og; o++)
                                {
                                    var oc = (group * og) + o;
                                    sum += double.CreateTruncating(gradOutput[Index4(n, oc, y, x, g.OC, oh, ow)]) *
                                           double.CreateTruncating(weight[Index4(oc, ci, kh, kw, cg, g.KH, g.KW)]);
                                }
                            }
                        }

                        gradInput[Index4(n, c, ih, iw, g.C, g.H, g.W)] = T.CreateTruncating(sum);
                    }
                }
            }
        }
    }

    /// <summary>∂L/∂weight[oc, ci, kh, kw] = Σ over n, y, x of gradOutput[n, oc, y, x] · input[n, c, ih, iw].</summary>
    /// <param name="g">the geometry</param>
    /// <param name="gradOutput">(N, OC, OH, OW)</param>
    /// <param name="input">(N, C, H, W)</param>
    /// <param name="gradWeight">(OC, C/groups, KH, KW), overwritten</param>
    public static void BackwardWeight<T>(
        in ConvGeometry g, ReadOnlySpan<T> gradOutput, ReadOnlySpan<T> input, Span<T> gradWeight)
        where T : IFloatingPointIeee754<T>
    {
        var (oh, ow, cg) = (g.OH, g.OW, g.GroupChannels);
        for (var oc = 0; oc < g.OC; oc++)
        {
            var group = oc / g.GroupOutChannels;
            for (var ci = 0; ci < cg; ci++)
            {
                var c = (group * cg) + ci;
                for (var kh = 0; kh < g.KH; kh++)
                {
                    for (var kw = 0; kw < g.KW; kw++)
                    {
                        var sum = 0.0;
                        for (var n = 0; n < g.N; n++)
                        {
                            for (var y = 0; y < oh; y++)
                            {
                                var ih = (y * g.StrideH) - g.PadTop + (kh * g.DilationH);
                                if (ih < 0 || ih >= g.H)
                                {
                                    continue;
                                }

                                for (var x = 0; x < ow; x++)
                                {
                                    var iw = (x * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                    if (iw >= 0 && iw < g.W)
                                    {
                                        sum += double.CreateTruncating(gradOutput[Index4(n, oc, y, x, g.OC, oh, ow)]) *
                                               double.CreateTruncating(input[Index4(n, c, ih, iw, g.C, g.H, g.W)]);
                                    }
                                }
                            }
                        }

                        gradWeight[Index4(oc, ci, kh, kw, cg, g.KH, g.KW)] = T.CreateTruncating(sum);
                    }
                }
            }
        }
    }

    /// <summary>∂L/∂bias[oc] = Σ over n, y, x of gradOutput[n, oc, y, x].</summary>
    /// <param name="g">the geometry</param>
    /// <param name="gradOutput">(N, OC, OH, OW)</param>
    /// <param name="gradBias">(OC), overwritten</param>
    public static void BackwardBias<T>(in ConvGeometry g, ReadOnlySpan<T> gradOutput, Span<T> gradBias)
        where T : IFloatingPointIeee754<T>
    {
        var plane = g.OH * g.OW;
        for (var oc = 0; oc < g.OC; oc++)
        {
            var sum = 0.0;
            for (var n = 0; n < g.N; n++)
            {
                foreach (var v in gradOutput.Slice(((n * g.OC) + oc) * plane, plane))
                {
                    sum += double.CreateTruncating(v);
                }
            }

            gradBias[oc] = T.CreateTruncating(sum);
        }
    }

    private static int Index4(int a, int b, int c, int d, int sizeB, int sizeC, int sizeD) =>
        (((((a * sizeB) + b) * sizeC) + c) * sizeD) + d;
}
