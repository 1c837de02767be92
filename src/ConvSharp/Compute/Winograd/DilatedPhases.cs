using System.Runtime.CompilerServices;
using ConvSharp.Compute.Parallel;
using ConvSharp.Convolution;

namespace ConvSharp.Compute.Winograd;

/// <summary>
/// A stride-1 convolution with dilation d is d_h·d_w independent undilated convolutions: output
/// pixel (d·Y + a, d·X + b) reads only input pixels (d·Y′ + a, d·X′ + b), so phase (a, b) of the
/// output is the undilated convolution of phase (a, b) of the input. When the sizes and paddings
/// divide by the dilation the phases share one geometry: they are gathered as a batch of
/// N·d_h·d_w images, convolved by Winograd, and scattered back (ResNet's dilated 3×3 layers).
/// </summary>
internal static unsafe class DilatedPhases
{
    /// <summary>Whether the phases of <paramref name="g"/> share one geometry, returned as <paramref name="phases"/>.</summary>
    public static bool TryPhases(in ConvGeometry g, out ConvGeometry phases)
    {
        var (dh, dw) = (g.DilationH, g.DilationW);
        phases = default;
        if (g.StrideH != 1 || g.StrideW != 1 || (dh == 1 && dw == 1) ||
            g.H % dh != 0 || g.W % dw != 0 || g.PadTop % dh != 0 || g.PadBottom % dh != 0 || g.PadLeft % dw != 0 || g.PadRight % dw != 0 ||
            (long)g.N * dh * dw > int.MaxValue)
        {
            return false;
        }

        phases = new ConvGeometry(
            g.N * dh * dw, g.C, g.H / dh, g.W / dw, g.OC, g.KH, g.KW, 1, 1, 1, 1,
            g.PadTop / dh, g.PadBottom / dh, g.PadLeft / dw, g.PadRight / dw, g.Groups)
        { OH = g.OH / dh, OW = g.OW / dw };
        return g.OH % dh == 0 && g.OW % dw == 0;
    }

    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        // The planner ran Winograd here only when TryPhases holds (PhasesFit) and the copies fit the workspace.
        TryPhases(g, out var phases);
        using var x = Workspace.Rent((long)g.N * g.C * g.H * g.W);
        using var y = Workspace.Rent((long)g.N * g.OC * g.OH * g.OW);
        Gather(input, x.Pointer, g.N, g.C, g.H, g.W, g.DilationH, g.DilationW);
        Winograd4x3.Forward(phases, plan, x.Pointer, weight, bias, y.Pointer);
        Scatter(y.Pointer, output, g.N, g.OC, g.OH, g.OW, g.DilationH, g.DilationW);
    }

    /// <summary>Rearranges (N, C, H, W) into (N·dh·dw, C, H/dh, W/dw): phase (a, b) of image n is image (n·dh + a)·dw + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gather(float* source, float* phases, int n, int c, int h, int w, int dh, int dw)
    {
        // In bounds: TryPhases made dh divide h and dw divide w, so (y·dh + a, x·dw + b) < (h, w) and the
        // phases fill exactly n·c·h·w floats.
        var (ph, pw) = (h / dh, w / dw);
        for (var image = 0; image < n; image++)
        {
            for (var a = 0; a < dh; a++)
            {
                for (var b = 0; b < dw; b++)
                {
                    var target = phases + ((((((nint)image * dh) + a) * dw) + b) * c * ph * pw);
                    for (var channel = 0; channel < c; channel++)
                    {
                        var plane = source + ((((nint)image * c) + channel) * h * w);
                        for (var y = 0; y < ph; y++)
                        {
                            var row = plane + ((((nint)y * dh) + a) * w) + b;
                            var destination = target + ((((nint)channel * ph) + y) * pw);
                            for (var x = 0; x < pw; x++)
                            {
                                destination[x] = row[x * dw];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The inverse of <see cref="Gather"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(float* phases, float* target, int n, int c, int h, int w, int dh, int dw)
    {
        // In bounds as in Gather.
        var (ph, pw) = (h / dh, w / dw);
        for (var image = 0; image < n; image++)
        {
            for (var a = 0; a < dh; a++)
            {
                for (var b = 0; b < dw; b++)
                {
                    var source = phases + ((((((nint)image * dh) + a) * dw) + b) * c * ph * pw);
                    for (var channel = 0; channel < c; channel++)
                    {
                        var plane = target + ((((nint)image * c) + channel) * h * w);
                        for (var y = 0; y < ph; y++)
                        {
                            var row = plane + ((((nint)y * dh) + a) * w) + b;
                            var values = source + ((((nint)channel * ph) + y) * pw);
                            for (var x = 0; x < pw; x++)
                            {
                                row[x * dw] = values[x];
                            }
                        }
                    }
                }
            }
        }
    }
}
