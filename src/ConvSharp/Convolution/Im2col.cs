using ConvSharp.Autograd;

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
        var x = input.ToArray();
        var (rows, blocks) = (g.C * g.KH * g.KW, g.OH * g.OW);
        ForEachTap(g, (n, row, block, offset) =>
        {
            if (offset >= 0)
            {
                columns[(((n * rows) + row) * blocks) + block] = x[offset];
            }
        });
        return Tensor.Record(new Tensor(columns, [g.N, rows, blocks]), () => new Im2ColBackward0(g), input);
    }

    public static Tensor Fold(Tensor columns, ConvGeometry g)
    {
        var image = new float[g.N * g.C * g.H * g.W];
        var cols = columns.ToArray();
        var (rows, blocks) = (g.C * g.KH * g.KW, g.OH * g.OW);
        ForEachTap(g, (n, row, block, offset) =>
        {
            if (offset >= 0)
            {
                image[offset] += cols[(((n * rows) + row) * blocks) + block];
            }
        });
        return Tensor.Record(new Tensor(image, g.InputShape), () => new Col2ImBackward0(g), columns);
    }

    /// <summary>
    /// Visits every (image, column row, block) with the flat offset of the input element it
    /// reads, or −1 where it falls in the zero padding.
    /// </summary>
    private static void ForEachTap(ConvGeometry g, Action<int, int, int, int> visit)
    {
        for (var n = 0; n < g.N; n++)
        {
            for (var c = 0; c < g.C; c++)
            {
                for (var kh = 0; kh < g.KH; kh++)
                {
                    for (var kw = 0; kw < g.KW; kw++)
                    {
                        var row = (((c * g.KH) + kh) * g.KW) + kw;
                        for (var y = 0; y < g.OH; y++)
                        {
                            var ih = (y * g.StrideH) - g.PadTop + (kh * g.DilationH);
                            for (var x = 0; x < g.OW; x++)
                            {
                                var iw = (x * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                var inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
                                visit(n, row, (y * g.OW) + x, inside ? (((((n * g.C) + c) * g.H) + ih) * g.W) + iw : -1);
                            }
                        }
                    }
                }
            }
        }
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
