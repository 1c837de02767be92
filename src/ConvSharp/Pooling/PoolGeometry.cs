namespace ConvSharp.Pooling;

/// <summary>
/// The shape of one 2D pooling call: P = N·C independent planes of H×W, each pooled into
/// OH×OW by a KH×KW window that moves by (SH, SW), starts PH/PW before the plane and takes every
/// DH-th/DW-th element. A 3-D (C, H, W) input is one image: N = 1, and
/// <see cref="InputShape"/>/<see cref="OutputShape"/> keep its rank.
/// </summary>
internal sealed record PoolGeometry(
    int[] InputShape, int[] OutputShape, int Planes, int H, int W, int OH, int OW,
    int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW)
{
    public int PlaneSize => H * W;

    public int OutputPlaneSize => OH * OW;

    /// <summary>
    /// Stride equal to the kernel, no padding or dilation, every window inside the plane
    /// (<c>2×2/2</c> on an even plane, LeNet's pooling): each input element lies in at most one
    /// window, which the fast kernels rely on.
    /// </summary>
    public bool IsTiled =>
        SH == KH && SW == KW && PH == 0 && PW == 0 && DH == 1 && DW == 1 && (long)OH * KH <= H && (long)OW * KW <= W;

    /// <summary>Window taps inside the input, about the work a call does (at most 2⁶²): decides whether to run planes in parallel.</summary>
    public long Work => (long)Planes * OH * OW * Math.Min(KH, H) * Math.Min(KW, W);
}
