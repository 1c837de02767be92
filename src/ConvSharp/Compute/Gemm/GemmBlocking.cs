namespace ConvSharp.Compute.Gemm;

/// <summary>The register tile a micro-kernel computes, and the SIMD width behind it.</summary>
internal enum GemmKernel
{
    /// <summary>Plain loops over a 6×16 tile: correct everywhere, the fallback without SIMD.</summary>
    Scalar,

    /// <summary><c>Vector256</c> FMA over a 6×16 tile (AVX2 + FMA).</summary>
    Avx2,

    /// <summary><c>Vector512</c> FMA over an 8×32 tile (AVX-512F).</summary>
    Avx512,
}

/// <summary>
/// BLIS's blocking parameters for one micro-kernel (see BLIS's <c>bli_cntx_init_haswell.c</c>
/// and <c>_skx.c</c>): MR×NR is the register tile; KC the depth of a packed panel (a KC×NR
/// panel of B stays in L1 while the kernel walks the A panels); MC the height of the block of
/// packed A that stays in L2 while the B panels stream past; NC the width of a packed B block
/// (KC×NC, about 1 MB: BLIS takes 4080 columns to fill L3, but a smaller block bounds the
/// workspace per thread and measured no slower on the conv shapes).
/// </summary>
internal readonly record struct GemmBlocking(GemmKernel Kernel, int MR, int NR, int MC, int KC, int NC)
{
    /// <summary>6×16: 12 ymm accumulators + 2 B vectors + 1 broadcast of 16 registers (BLIS haswell: 6×16, MC 168, KC 256, NC 4080).</summary>
    public static readonly GemmBlocking Avx2 = new(GemmKernel.Avx2, 6, 16, 168, 256, 1024);

    /// <summary>8×32: 16 zmm accumulators + 2 B vectors + 1 broadcast of 32 registers; MC 480, KC 384 as BLIS skx.</summary>
    public static readonly GemmBlocking Avx512 = new(GemmKernel.Avx512, 8, 32, 480, 384, 1024);

    /// <summary>The same 6×16 tile as AVX2 in plain loops, so packing is shared with it.</summary>
    public static readonly GemmBlocking Scalar = new(GemmKernel.Scalar, 6, 16, 168, 256, 1024);

    public static GemmBlocking For(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Avx512 => Avx512,
        GemmKernel.Avx2 => Avx2,
        _ => Scalar,
    };

    /// <summary>
    /// The K slice depth actually used for an inner dimension of <paramref name="k"/>: as few
    /// slices as KC allows, of equal depth, so no slice is a thin remainder whose C loads and
    /// stores would not be paid back (576 = 2 × 288 rather than 256 + 256 + 64).
    /// </summary>
    public int DepthFor(int k)
    {
        var slices = Math.Max(1, (k + KC - 1) / KC);
        return (k + slices - 1) / slices;
    }

    /// <summary>M rounded up to whole MR panels.</summary>
    public int PaddedRows(int m) => (m + MR - 1) / MR * MR;

    /// <summary>Floats of a packed B block for <paramref name="columns"/> columns at full depth.</summary>
    public int PackedBFloats(int columns) => KC * ((Math.Min(columns, NC) + NR - 1) / NR * NR);
}
