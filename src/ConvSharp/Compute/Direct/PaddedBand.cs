using System.Runtime.CompilerServices;
using ConvSharp.Convolution;

namespace ConvSharp.Compute.Direct;

/// <summary>
/// The input a tile of outputs reads — rows [y0, y1) and columns [x0, x1) of the output —
/// copied with its zero border into scratch memory, so the direct kernels read every tap without
/// a bounds check: band row r, column j holds input (y0·StrideH − PadTop + r, x0·StrideW − PadLeft + j),
/// zero outside the image.
/// </summary>
internal static unsafe class PaddedBand
{
    /// <summary>Columns the outputs [x0, x1) read (x0 &lt; x1 ≤ OW): at most the padded width, so an <c>int</c>.</summary>
    public static int Width(in ConvGeometry g, int x0, int x1) => ((x1 - 1 - x0) * g.StrideW) + g.DilatedKW;

    /// <summary>Input rows needed by output rows [y0, y1) (y0 &lt; y1 ≤ OH): at most the padded height.</summary>
    public static int Rows(in ConvGeometry g, int y0, int y1) => ((y1 - 1 - y0) * g.StrideH) + g.DilatedKH;

    /// <summary>Copies the input that output rows [y0, y1), columns [x0, x1) read, with zeros where it falls outside the plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(in ConvGeometry g, float* plane, int y0, int y1, int x0, int x1, float* band)
    {
        var width = Width(g, x0, x1);
        var rows = Rows(g, y0, y1);
        var firstRow = (y0 * g.StrideH) - g.PadTop;
        var firstColumn = (x0 * g.StrideW) - g.PadLeft;
        var inside0 = Math.Clamp(-firstColumn, 0, width);
        var inside1 = Math.Clamp(g.W - firstColumn, inside0, width);
        // In bounds: band holds rows × width floats; a copy reads row ih ∈ [0, H), columns
        // [firstColumn + inside0, firstColumn + inside1) ⊂ [0, W); firstRow + r and firstColumn + j fit an int
        // (at most the padded height and width; W − firstColumn ≤ W + PadLeft too).
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
            new ReadOnlySpan<float>(plane + ((nint)ih * g.W) + firstColumn + inside0, inside1 - inside0).CopyTo(destination[inside0..inside1]);
            destination[inside1..].Clear();
        }
    }
}
