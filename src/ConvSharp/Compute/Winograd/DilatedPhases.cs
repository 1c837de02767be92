
namespace ConvSharp.Compute.Winograd;

/// <summary>
/// A stride-1 convolution with dilation d is d_h·d_w independent undilated convolutions: output
/// pixel (d·Y + a, d·X + b) reads only input pixels (d·Y′ + a, d·X′ + b), so phase (a, b) of the
/// output is the undilated convolution of phase (a, b) of the input. When the sizes and paddings
/// divide by the dilation the phases share one geometry, and <see cref="Winograd4x3"/> convolves
/// each in place through strided views of the planes (ResNet's dilated 3×3 layers): no phase is
/// ever copied, so a dilated call needs no more workspace than an undilated one.
/// </summary>
internal static class DilatedPhases
{
    /// <summary>Whether the phases of <paramref name="g"/> share one geometry, returned as <paramref name="phases"/> (N images of one phase each).</summary>
    public static bool TryPhases(in ConvGeometry g, out ConvGeometry phases)
    {
        var (dh, dw) = (g.DilationH, g.DilationW);
        phases = default;
        if (g.StrideH != 1 || g.StrideW != 1 || (dh == 1 && dw == 1) ||
            g.H % dh != 0 || g.W % dw != 0 || g.PadTop % dh != 0 || g.PadBottom % dh != 0 || g.PadLeft % dw != 0 || g.PadRight % dw != 0)
        {
            return false;
        }

        phases = new ConvGeometry(
            g.N, g.C, g.H / dh, g.W / dw, g.OC, g.KH, g.KW, 1, 1, 1, 1,
            g.PadTop / dh, g.PadBottom / dh, g.PadLeft / dw, g.PadRight / dw, g.Groups)
        { OH = g.OH / dh, OW = g.OW / dw };
        return g.OH % dh == 0 && g.OW % dw == 0;
    }

    /// <summary>Phase <paramref name="phase"/> (= a·d_w + b) of the input planes of <paramref name="g"/>: element (y, x) is plane element (y·d_h + a, x·d_w + b).</summary>
    public static PlaneView Input(in ConvGeometry g, int phase) =>
        new((nint)g.H * g.W, ((nint)(phase / g.DilationW) * g.W) + (phase % g.DilationW), (nint)g.DilationH * g.W, g.DilationW);

    /// <summary>The same phase of the output planes.</summary>
    public static PlaneView Output(in ConvGeometry g, int phase) =>
        new((nint)g.OH * g.OW, ((nint)(phase / g.DilationW) * g.OW) + (phase % g.DilationW), (nint)g.DilationH * g.OW, g.DilationW);
}

/// <summary>
/// Where the planes of one phase lie in full (N, C, H, W) planes: element (y, x) of a phase
/// plane is at <see cref="Offset"/> + y·<see cref="Row"/> + x·<see cref="Column"/> of its full
/// plane, and full planes lie <see cref="Plane"/> floats apart. An undilated call is its own
/// single phase, with the planes' own strides.
/// </summary>
internal readonly record struct PlaneView(nint Plane, nint Offset, nint Row, nint Column)
{
    /// <summary>The planes of an undilated convolution: offset 0, rows of <paramref name="width"/>, columns 1.</summary>
    public static PlaneView Whole(int height, int width) => new((nint)height * width, 0, width, 1);
}
