using System.Runtime.CompilerServices;

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
        // In bounds: band holds rows × width floats; PaddedRow.Copy reads only row ih ∈ [0, H), columns in [0, W).
        // firstRow + r and firstColumn fit an int: at most the padded height and width.
        for (var r = 0; r < rows; r++)
        {
            var ih = firstRow + r;
            var row = (uint)ih < (uint)g.H ? plane + ((nint)ih * g.W) : null;
            PaddedRow.Copy(row, g.W, 1, firstColumn, new Span<float>(band + ((nint)r * width), width));
        }
    }
}
