using System.Runtime.CompilerServices;

namespace ConvSharp.Compute;

/// <summary>
/// One input row as a kernel reads it through the padding: the part inside the image copied,
/// zeros either side. Every algorithm that stages padded input (the direct loops' ring and
/// bands, Winograd's tile rows, the FFT's tiles) copies its rows through here.
/// </summary>
internal static unsafe class PaddedRow
{
    /// <summary>
    /// destination[j] = row[(first + j)·columnStride] where 0 ≤ first + j &lt; <paramref name="columns"/>,
    /// zero elsewhere; a null <paramref name="row"/> (a row of the padding) gives all zeros.
    /// </summary>
    /// <remarks>
    /// In bounds: only columns in [0, columns) of the row are read. <paramref name="first"/> is
    /// 64-bit so a tile beyond a huge image's edge (an FFT tile's column) clamps instead of wrapping.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* row, int columns, nint columnStride, long first, Span<float> destination)
    {
        var width = destination.Length;
        var inside0 = (int)Math.Clamp(-first, 0, width);
        var inside1 = row == null ? inside0 : (int)Math.Clamp(columns - first, inside0, width);
        destination[..inside0].Clear();
        if (inside1 > inside0)
        {
            var source = row + ((nint)(first + inside0) * columnStride);
            var inside = destination[inside0..inside1];
            if (columnStride == 1)
            {
                new ReadOnlySpan<float>(source, inside.Length).CopyTo(inside);
            }
            else
            {
                // A phase of a dilated call: every columnStride-th column of the full row.
                for (var x = 0; x < inside.Length; x++)
                {
                    inside[x] = source[x * columnStride];
                }
            }
        }

        destination[inside1..].Clear();
    }
}
