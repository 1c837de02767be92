using System.Runtime.CompilerServices;
using ConvSharp.Convolution;

namespace ConvSharp.Compute.Direct;

/// <summary>
/// A band of an input plane copied with its zero border into scratch memory, so the direct
/// kernels read every tap without a bounds check: band row r, column j holds input
/// (firstRow + r, j − PadLeft), zero outside the image.
/// </summary>
internal static unsafe class PaddedBand
{
    /// <summary>Columns of the padded band: enough for every tap of every output column; at most the padded width, so an <c>int</c>.</summary>
    public static int Width(in ConvGeometry g) => ((g.OW - 1) * g.StrideW) + g.DilatedKW;

    /// <summary>Input rows needed by output rows [y0, y1) (y0 &lt; y1 ≤ OH): at most the padded height.</summary>
    public static int Rows(in ConvGeometry g, int y0, int y1) => ((y1 - 1 - y0) * g.StrideH) + g.DilatedKH;

    /// <summary>Copies the input rows that output rows [y0, y1) read, with zeros where they fall outside the plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(in ConvGeometry g, float* plane, int y0, int y1, float* band)
    {
        var width = Width(g);
        var rows = Rows(g, y0, y1);
        var firstRow = (y0 * g.StrideH) - g.PadTop;
        var inside0 = Math.Clamp(g.PadLeft, 0, width);
        var inside1 = Math.Clamp(g.PadLeft + g.W, inside0, width);
        // In bounds: band holds rows × width floats; a copy reads row ih ∈ [0, H), columns
        // [inside0 − PadLeft, inside1 − PadLeft) ⊂ [0, W); firstRow + r fits an int (at most the padded height).
        for (var r = 0; r < rows; r++)
        {
            var destination = new Span<float>(band + ((nint)r * width), width);
            var ih = firstRow + r;
            if ((uint)ih >= (uint)g.H)
            {
                destination.Clear();
                continue;
            }

            destination[..inside0].Clear();
            new ReadOnlySpan<float>(plane + ((nint)ih * g.W) + inside0 - g.PadLeft, inside1 - inside0).CopyTo(destination[inside0..inside1]);
            destination[inside1..].Clear();
        }
    }
}
