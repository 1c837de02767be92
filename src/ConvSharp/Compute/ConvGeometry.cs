namespace ConvSharp.Compute;

/// <summary>
/// The validated sizes of one 2D convolution: input (N, C, H, W), weight (OC, C/groups, KH, KW),
/// output (N, OC, OH, OW), and stride, dilation, per-side zero padding and groups. Every
/// algorithm takes this one struct instead of a dozen integers.
/// </summary>
/// <remarks>
/// For a convolution, OH = ⌊(H + PadTop + PadBottom − DilationH·(KH − 1) − 1) / StrideH⌋ + 1,
/// and likewise OW. A transposed convolution is described by the geometry of the convolution
/// it is the adjoint of: its input is that convolution's output, which is why OH and OW are
/// stored rather than derived. Geometries are built from a user's arguments by
/// <c>ConvSharp.Convolution.ConvGeometries</c>, which checks them in the order PyTorch does, derives
/// every size in 64-bit arithmetic and builds a geometry only when the padded input fits in
/// 32-bit coordinates and the output in one array: so the algorithms may compute any row or
/// column index, padding included, as an <c>int</c>. The engine (this namespace) depends on
/// nothing in <c>ConvSharp.Convolution</c>.
/// </remarks>
internal readonly record struct ConvGeometry(
    int N, int C, int H, int W,
    int OC, int KH, int KW,
    int StrideH, int StrideW,
    int DilationH, int DilationW,
    int PadTop, int PadBottom, int PadLeft, int PadRight,
    int Groups)
{
    /// <summary>Output rows.</summary>
    public int OH { get; init; }

    /// <summary>Output columns.</summary>
    public int OW { get; init; }

    /// <summary>Input channels per group (the weight's second dimension).</summary>
    public int GroupChannels => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OC / Groups;

    /// <summary>Rows the kernel spans with its dilation; at most the padded height, so it fits an <c>int</c>.</summary>
    public int DilatedKH => (DilationH * (KH - 1)) + 1;

    /// <summary>Columns the kernel spans with its dilation; at most the padded width.</summary>
    public int DilatedKW => (DilationW * (KW - 1)) + 1;

    /// <summary>H + PadTop + PadBottom: at most <see cref="int.MaxValue"/> by construction.</summary>
    public int PaddedH => H + PadTop + PadBottom;

    /// <summary>W + PadLeft + PadRight: at most <see cref="int.MaxValue"/> by construction.</summary>
    public int PaddedW => W + PadLeft + PadRight;

    /// <summary>Whether any side is padded (tested without adding the four, which could wrap).</summary>
    public bool HasPadding => (PadTop | PadBottom | PadLeft | PadRight) != 0;

    public int[] OutputShape => [N, OC, OH, OW];

    public int[] InputShape => [N, C, H, W];

    public int[] WeightShape => [OC, GroupChannels, KH, KW];

    /// <summary>Multiply-adds × 2 of the forward pass: 2·N·OC·OH·OW·(C/groups)·KH·KW.</summary>
    public long Flops => 2L * N * OC * OH * OW * GroupChannels * KH * KW;
}
