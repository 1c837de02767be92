using System.Runtime.CompilerServices;
using ConvSharp.Convolution;

namespace ConvSharp.Compute.Im2col;

/// <summary>
/// Reads rows of the (virtual) column matrix of one image and group: row k = (c, kh, kw) holds,
/// for each output pixel p = (oh, ow), the input value at
/// (c, oh·StrideH − PadTop + kh·DilationH, ow·StrideW − PadLeft + kw·DilationW), or 0 in the
/// padding. A run of pixels in one output row reads one input row, contiguously when the
/// stride is 1, so the copy is a span copy plus zeros at the borders.
/// </summary>
internal static unsafe class Im2colGather
{
    /// <summary>Writes row <paramref name="k"/>, pixels [p0, p0 + count), to <paramref name="destination"/>.</summary>
    /// <param name="g">the geometry</param>
    /// <param name="image">this image's group: GroupChannels planes of H×W</param>
    /// <param name="k">row of the column matrix: (c·KH + kh)·KW + kw</param>
    /// <param name="p0">first output pixel</param>
    /// <param name="count">pixels to write</param>
    /// <param name="destination">count floats</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(in ConvGeometry g, float* image, int k, int p0, int count, float* destination)
    {
        var kw = k % g.KW;
        var kh = k / g.KW % g.KH;
        var c = k / (g.KW * g.KH);
        var plane = image + ((nint)c * g.H * g.W);
        var oh = p0 / g.OW;
        var ow = p0 % g.OW;
        while (count > 0)
        {
            var run = Math.Min(count, g.OW - ow);
            var ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
            if ((uint)ih >= (uint)g.H)
            {
                new Span<float>(destination, run).Clear();
            }
            else
            {
                var row = plane + ((nint)ih * g.W);
                var iw0 = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                if (g.StrideW == 1)
                {
                    // Columns j with 0 ≤ iw0 + j < W are inside; the rest is padding.
                    var first = Math.Clamp(-iw0, 0, run);
                    var last = Math.Clamp(g.W - iw0, first, run);
                    new Span<float>(destination, first).Clear();
                    new ReadOnlySpan<float>(row + iw0 + first, last - first).CopyTo(new Span<float>(destination + first, last - first));
                    new Span<float>(destination + last, run - last).Clear();
                }
                else
                {
                    for (var j = 0; j < run; j++)
                    {
                        var iw = iw0 + (j * g.StrideW);
                        destination[j] = (uint)iw < (uint)g.W ? row[iw] : 0f;
                    }
                }
            }

            destination += run;
            count -= run;
            ow = 0;
            oh++;
        }
    }
}

/// <summary>
/// Implicit GEMM's B operand for the forward pass: B(k, p) = column matrix (k, p), gathered
/// straight into the packed panels from the image; no column matrix is ever stored.
/// </summary>
internal readonly unsafe struct ImplicitColumnsSource(ConvGeometry g, float* image) : Gemm.IPanelSource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int k0, int kc, int j0, int nc, int nr, float* destination)
    {
        for (var jp = 0; jp < nc; jp += nr)
        {
            var width = Math.Min(nr, nc - jp);
            var panel = destination + ((nint)jp * kc);
            for (var k = 0; k < kc; k++)
            {
                var row = panel + ((nint)k * nr);
                Im2colGather.Row(g, image, k0 + k, j0 + jp, width, row);
                if (width < nr)
                {
                    new Span<float>(row + width, nr - width).Clear();
                }
            }
        }
    }
}

/// <summary>
/// The weight gradient's B operand: B(p, k) = column matrix (k, p), the transposed column
/// matrix, gathered from the image; the GEMM's K runs over output pixels.
/// </summary>
internal readonly unsafe struct ImplicitTransposedColumnsSource(ConvGeometry g, float* image) : Gemm.IPanelSource
{
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(int k0, int kc, int j0, int nc, int nr, float* destination)
    {
        // Rows of B are pixels k0..k0+kc, columns are column-matrix rows j0..j0+nc.
        var run = stackalloc float[512];
        for (var jp = 0; jp < nc; jp += nr)
        {
            var width = Math.Min(nr, nc - jp);
            var panel = destination + ((nint)jp * kc);
            for (var j = 0; j < nr; j++)
            {
                for (var p = 0; p < kc; p += 512)
                {
                    var count = Math.Min(512, kc - p);
                    if (j < width)
                    {
                        Im2colGather.Row(g, image, j0 + jp + j, k0 + p, count, run);
                    }
                    else
                    {
                        new Span<float>(run, count).Clear();
                    }

                    for (var q = 0; q < count; q++)
                    {
                        panel[((nint)(p + q) * nr) + j] = run[q];
                    }
                }
            }
        }
    }
}

/// <summary>col2im: the adjoint of <see cref="Im2colGather.Row"/>, adding a row of the column matrix back into the image.</summary>
internal static unsafe class Col2imScatter
{
    /// <summary>Adds row <paramref name="k"/>, pixels [p0, p0 + count), of the column matrix into <paramref name="image"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(in ConvGeometry g, float* image, int k, int p0, int count, float* source)
    {
        var kw = k % g.KW;
        var kh = k / g.KW % g.KH;
        var c = k / (g.KW * g.KH);
        var plane = image + ((nint)c * g.H * g.W);
        var oh = p0 / g.OW;
        var ow = p0 % g.OW;
        while (count > 0)
        {
            var run = Math.Min(count, g.OW - ow);
            var ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
            if ((uint)ih < (uint)g.H)
            {
                var row = plane + ((nint)ih * g.W);
                var iw0 = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                for (var j = 0; j < run; j++)
                {
                    var iw = iw0 + (j * g.StrideW);
                    if ((uint)iw < (uint)g.W)
                    {
                        row[iw] += source[j];
                    }
                }
            }

            source += run;
            count -= run;
            ow = 0;
            oh++;
        }
    }
}
