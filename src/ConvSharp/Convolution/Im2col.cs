using System.Numerics;
using ConvSharp.Autograd;
using ConvSharp.Compute;

namespace ConvSharp.Convolution;

/// <summary>
/// im2col and col2im: the sliding windows of (N, C, H, W) laid out as columns of
/// (N, C·KH·KW, L), L = OH·OW, and back (summing where windows overlap). Row
/// c·KH·KW + kh·KW + kw of the column matrix holds channel c at kernel tap (kh, kw), the order
/// of a weight reshaped to (OC, C·KH·KW) — so a convolution is that weight times these columns.
/// Plain loops: this is <c>F.unfold</c>/<c>F.fold</c> for users; the engine has its own.
/// </summary>
internal static class Im2col
{
    public static Tensor Unfold(Tensor input, ConvGeometry g)
    {
        var columns = new float[g.N * g.C * g.KH * g.KW * g.OH * g.OW];
        Gather(SourceOffsets(g), input.ContiguousSpan(), columns);
        return Tensor.Record(new Tensor(columns, [g.N, g.C * g.KH * g.KW, g.OH * g.OW]), () => new Im2ColBackward0(g), input);
    }

    public static Tensor Fold(Tensor columns, ConvGeometry g)
    {
        var image = new float[g.N * g.C * g.H * g.W];
        ScatterAdd(SourceOffsets(g), columns.ContiguousSpan(), image);
        return Tensor.Record(new Tensor(image, g.InputShape), () => new Col2ImBackward0(g), columns);
    }

    /// <summary>columns[i] = image[offsets[i]], or 0 where the offset is −1 (padding).</summary>
    public static void Gather<T>(int[] offsets, ReadOnlySpan<T> image, Span<T> columns)
        where T : INumber<T>
    {
        for (var i = 0; i < offsets.Length; i++)
        {
            columns[i] = offsets[i] >= 0 ? image[offsets[i]] : T.Zero;
        }
    }

    /// <summary>image[offsets[i]] += columns[i]: the adjoint of <see cref="Gather{T}"/>; image is cleared first.</summary>
    public static void ScatterAdd<T>(int[] offsets, ReadOnlySpan<T> columns, Span<T> image)
        where T : INumber<T>
    {
        image.Clear();
        for (var i = 0; i < offsets.Length; i++)
        {
            if (offsets[i] >= 0)
            {
                image[offsets[i]] += columns[i];
            }
        }
    }

    /// <summary>
    /// For every element of the column matrix (N, C·KH·KW, OH·OW), the flat offset in the image
    /// (N, C, H, W) that it copies, or −1 where the window lies over the zero padding.
    /// </summary>
    public static int[] SourceOffsets(in ConvGeometry g)
    {
        var offsets = new int[g.N * g.C * g.KH * g.KW * g.OH * g.OW];
        var i = 0;
        for (var n = 0; n < g.N; n++)
        {
            for (var c = 0; c < g.C; c++)
            {
                for (var kh = 0; kh < g.KH; kh++)
                {
                    for (var kw = 0; kw < g.KW; kw++)
                    {
                        for (var y = 0; y < g.OH; y++)
                        {
                            var ih = (y * g.StrideH) - g.PadTop + (kh * g.DilationH);
                            for (var x = 0; x < g.OW; x++)
                            {
                                var iw = (x * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                var inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
                                offsets[i++] = inside ? (((((n * g.C) + c) * g.H) + ih) * g.W) + iw : -1;
                            }
                        }
                    }
                }
            }
        }

        return offsets;
    }
}

internal sealed class Im2ColBackward0(ConvGeometry geometry) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [Im2col.Fold(g, geometry)];
}

internal sealed class Col2ImBackward0(ConvGeometry geometry) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [Im2col.Unfold(g, geometry)];
}
