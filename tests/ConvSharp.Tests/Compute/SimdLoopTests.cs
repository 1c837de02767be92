using ConvSharp.Compute.Im2col;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// The SIMD loops outside the GEMM, against plain loops, on whichever path this process takes
/// (AVX2, SSE or NEON, scalar): CI runs this class under each DOTNET_Enable…=0 switch.
/// </summary>
[Trait("Category", "Kernels")]
public unsafe class SimdLoopTests
{
    [Fact]
    public void An_8x8_transpose_moves_every_value_and_nothing_else()
    {
        const int sourceStride = 11, destinationStride = 13;
        var source = Enumerable.Range(0, 8 * sourceStride).Select(i => (float)i).ToArray();
        var destination = Enumerable.Repeat(-1f, 8 * destinationStride).ToArray();
        fixed (float* s = source, d = destination)
        {
            Transpose8x8.Block(s, sourceStride, d, destinationStride);
        }

        for (var r = 0; r < 8; r++)
        {
            for (var c = 0; c < destinationStride; c++)
            {
                var expected = c < 8 ? source[(c * sourceStride) + r] : -1f;
                Assert.Equal(expected, destination[(r * destinationStride) + c]);
            }
        }
    }

    [Fact]
    public void The_stride_2_gather_takes_the_even_columns_and_reads_only_inside_the_row()
    {
        // Every start column and length near the row's end: the vector loop must stop where its
        // loads would pass the row, and the values it wrote must be the even columns.
        const int width = 41;
        var row = Enumerable.Range(0, width).Select(i => (float)(i * 3)).ToArray();
        for (var iw = 0; iw < width; iw++)
        {
            for (var piece = 1; iw + (2 * (piece - 1)) < width; piece++)
            {
                var target = Enumerable.Repeat(float.NaN, piece).ToArray();
                int done;
                fixed (float* source = row, t = target)
                {
                    done = Im2colGather.EvensOf(source + iw, iw, width, t, piece);
                }

                Assert.InRange(done, 0, piece);
                Assert.True(iw + (2 * done) <= width, $"iw {iw}, piece {piece}: {done} values would read past the row");
                for (var j = 0; j < done; j++)
                {
                    Assert.Equal(row[iw + (2 * j)], target[j]);
                }
            }
        }
    }
}
