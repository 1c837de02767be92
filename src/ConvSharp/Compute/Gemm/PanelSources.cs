using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// Where the GEMM's B operand comes from. <see cref="Pack"/> copies rows k0..k0+kc and columns
/// j0..j0+nc into NR-wide panels (panel q: kc rows of NR values, columns past nc zero), which is
/// all the driver needs — so B can be a strided matrix, or gathered from an image on the fly
/// (implicit GEMM), without a column matrix ever existing.
/// </summary>
internal interface IPanelSource
{
    unsafe void Pack(int k0, int kc, int j0, int nc, int nr, float* destination);
}

/// <summary>B(k, j) = data[k·rowStride + j·columnStride]: any strided (or transposed) matrix.</summary>
internal readonly unsafe struct StridedSource(float* data, nint rowStride, nint columnStride) : IPanelSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int k0, int kc, int j0, int nc, int nr, float* destination)
    {
        // In bounds: the caller's matrix has rows k0..k0 + kc and columns j0..j0 + nc (K × N of the GEMM);
        // destination holds ⌈nc / nr⌉ panels of kc·nr floats (GemmBlocking.PackedBFloats).
        for (var jp = 0; jp < nc; jp += nr)
        {
            var width = Math.Min(nr, nc - jp);
            var panel = destination + ((nint)jp * kc);
            for (var k = 0; k < kc; k++)
            {
                var source = data + ((k0 + k) * rowStride) + ((j0 + jp) * columnStride);
                var row = panel + ((nint)k * nr);
                if (columnStride == 1 && width == nr && nr % Vector<float>.Count == 0)
                {
                    // A whole panel row: NR is a multiple of the vector width for every kernel, and a memmove call per
                    // 64 bytes cost as much as the copy (bench gemm, small M).
                    for (var j = 0; j < nr; j += Vector<float>.Count)
                    {
                        Unsafe.WriteUnaligned(row + j, Unsafe.ReadUnaligned<Vector<float>>(source + j));
                    }
                }
                else if (columnStride == 1)
                {
                    new ReadOnlySpan<float>(source, width).CopyTo(new Span<float>(row, width));
                }
                else
                {
                    for (var j = 0; j < width; j++)
                    {
                        row[j] = source[j * columnStride];
                    }
                }

                if (width < nr)
                {
                    new Span<float>(row + width, nr - width).Clear();
                }
            }
        }
    }
}
