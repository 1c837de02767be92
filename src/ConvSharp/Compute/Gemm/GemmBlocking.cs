namespace ConvSharp.Compute.Gemm;

/// <summary>The register tile a micro-kernel computes, and the SIMD width behind it.</summary>
internal enum GemmKernel
{
    /// <summary>Plain loops over a 6×16 tile: correct everywhere, the fallback without SIMD.</summary>
    Scalar,

    /// <summary><c>Vector256</c> FMA over a 6×16 tile (AVX2 + FMA).</summary>
    Avx2,

    /// <summary><c>Vector512</c> FMA over a 6×64 tile (AVX-512F).</summary>
    Avx512,

    /// <summary><c>Vector128</c> over a 6×8 tile: x64 without AVX2 (SSE, fused where FMA is on).</summary>
    Vector128,

    /// <summary>ARM64 NEON (AdvSimd) over a 6×16 tile, multiplying by lanes of A.</summary>
    AdvSimd,
}

/// <summary>
/// BLIS's blocking parameters for one micro-kernel: MR×NR is the register tile; KC the depth
/// of a packed panel (a KC×NR panel of B stays in L1 while the kernel walks the A panels); MC
/// the height of the block of packed A that stays in L2 while the B panels stream past; NC the
/// width of a packed B block. MC, KC and NC come from this CPU's caches by the analytical model
/// of Low, Igual, Smith and Quintana-Ortí ("Analytical modeling is enough for high-performance
/// BLIS", ACM TOMS 43(2), 2016): see <see cref="Derive"/>.
/// </summary>
internal readonly record struct GemmBlocking(GemmKernel Kernel, int MR, int NR, int MC, int KC, int NC)
{
    /// <summary>
    /// The most floats a packed B block holds (1 MB): NC from L3 is capped by it, since every
    /// thread packs its own block and a call's workspace is bounded (<see cref="Parallel.Workspace"/>).
    /// </summary>
    public const int MaxPackedBFloats = 1 << 18;

    private static readonly GemmBlocking[] Derived =
        [.. Enum.GetValues<GemmKernel>().Select(kernel => Derive(kernel, CacheHierarchy.Current))];

    /// <summary>The blocking of <paramref name="kernel"/> on this CPU.</summary>
    public static GemmBlocking For(GemmKernel kernel) => Derived[(int)kernel];

    /// <summary>The register tile of each kernel: MR rows broadcast, NR columns in vectors.</summary>
    public static (int MR, int NR) TileOf(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Avx512 => (6, 64),
        GemmKernel.Vector128 => (6, 8),
        _ => (6, 16),
    };

    /// <summary>
    /// The model of Low et al. (2016), section 4, in floats of 4 bytes. Each cache level is
    /// counted in ways (a way holds Sets × LineBytes bytes), one way of each left for the
    /// data that streams through it (C, or the next panel):
    /// <list type="bullet">
    /// <item>KC (L1): the B micro-panel (KC×NR), reused across every A micro-panel, and the A
    /// micro-panel streaming past (KC×MR) take C_B and C_A ways, C_A + C_B ≤ W₁ − 1. The paper
    /// fixes C_A = ⌊(W₁ − 1)/(1 + NR/MR)⌋; rounding that down can leave ways idle, so this takes the
    /// split of the same W₁ − 1 ways that allows the deepest KC (6×16 on a 32 KB 8-way L1: 320
    /// instead of 170).</item>
    /// <item>MC (L2): the packed A block (MC×KC) takes the ways the B micro-panel leaves, less one.</item>
    /// <item>NC (L3, this thread's share of it): the packed B block (KC×NC) takes the ways the A
    /// block leaves, less one; capped at <see cref="MaxPackedBFloats"/>.</item>
    /// </list>
    /// </summary>
    public static GemmBlocking Derive(GemmKernel kernel, CacheHierarchy caches)
    {
        const int floatBytes = sizeof(float);
        var (mr, nr) = TileOf(kernel);

        // L1: the deepest KC over every split of W₁ − 1 ways between the A and B micro-panels.
        var l1 = caches.L1;
        var kc = 0L;
        for (var aWays = 1; aWays <= l1.Ways - 2; aWays++)
        {
            var bWays = l1.Ways - 1 - aWays;
            kc = Math.Max(kc, Math.Min(aWays * l1.WayBytes / (mr * floatBytes), bWays * l1.WayBytes / (nr * floatBytes)));
        }

        kc = Math.Clamp(kc / 8 * 8, 64, 1024);

        // L2: the A block (MC×KC) beside one B micro-panel (KC×NR) and one way for C.
        var l2 = caches.L2;
        var bWaysL2 = CeilingDivide(kc * nr * floatBytes, l2.WayBytes);
        var aWaysL2 = Math.Max(1, l2.Ways - 1 - bWaysL2);
        var mc = Math.Clamp(aWaysL2 * l2.WayBytes / (kc * floatBytes) / mr * mr, mr, 4096 / mr * mr);

        // L3: this thread's share of it holds the B block (KC×NC) beside the A block.
        var l3 = caches.L3;
        var waysL3 = Math.Max(2, l3.Ways / Math.Max(1, l3.SharedBy));
        var aWaysL3 = CeilingDivide(mc * kc * floatBytes, l3.WayBytes);
        var bWaysL3 = Math.Max(1, waysL3 - 1 - aWaysL3);
        var nc = bWaysL3 * l3.WayBytes / (kc * floatBytes);
        nc = Math.Clamp(Math.Min(nc, MaxPackedBFloats / kc) / nr * nr, nr, MaxPackedBFloats / kc / nr * nr);
        return new GemmBlocking(kernel, mr, nr, (int)mc, (int)kc, (int)nc);
    }

    private static long CeilingDivide(long a, long b) => (a + b - 1) / b;

    /// <summary>
    /// The K slice depth actually used for an inner dimension of <paramref name="k"/>: as few
    /// slices as KC allows, of equal depth, so no slice is a thin remainder whose C loads and
    /// stores would not be paid back (576 = 2 × 288 rather than 320 + 256).
    /// </summary>
    public int DepthFor(int k)
    {
        var slices = Math.Max(1, (k + KC - 1) / KC);
        return (k + slices - 1) / slices;
    }

    /// <summary>Rows of A packed per pass so that the packed A of all <paramref name="groups"/> stays within <paramref name="share"/> floats (MR rows at the least).</summary>
    public int RowsPerPass(long share, int m, int k, int groups = 1)
    {
        var rows = share / Math.Max((long)k * groups, 1) / MR * MR;
        return (int)Math.Min(Math.Max(rows, MR), Math.Max(m, 1));
    }

    /// <summary>M rounded up to whole MR panels.</summary>
    public int PaddedRows(int m) => (m + MR - 1) / MR * MR;

    /// <summary>Floats of a packed B block for <paramref name="columns"/> columns at full depth.</summary>
    public int PackedBFloats(int columns) => KC * ((Math.Min(columns, NC) + NR - 1) / NR * NR);

    public override string ToString() => $"{Kernel} {MR}×{NR}, MC {MC}, KC {KC}, NC {NC}";
}
