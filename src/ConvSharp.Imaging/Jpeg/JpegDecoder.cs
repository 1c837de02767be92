using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// A JPEG decoder for the common kind of file (see <see cref="JpegDecoderHeader"/>) whose pixels
/// are byte for byte those of libjpeg-turbo as SkiaSharp runs it (islow IDCT, fancy upsampling,
/// its YCbCr tables): gray files as 1 byte a pixel, colour ones as RGBA with alpha 255. It
/// decodes an MCU row at a time into a ring of three bands per component and writes the output
/// rows one MCU row behind, when the chroma rows below them (h2v2's context) are decoded.
/// Every file it does not take, or finds anything amiss in, it refuses (returns false) without
/// throwing; the caller then decodes the file as before.
/// </summary>
internal static unsafe class JpegDecoder
{
    /// <summary>
    /// Whether this decoder is the faster one here: on x64 with AVX2. SkiaSharp's libjpeg-turbo on
    /// linux-x64 is built without its SIMD (<c>jsimd_none.c</c>), and this decoder took 0.5–0.6 ms
    /// for a 278×391 gray q95 crop against Skia's 0.8–1.0 (0.7–0.9 against 1.25–1.75 for 4:2:0
    /// colour). Without AVX2 its IDCT is the scalar reference, which took 2.1 ms there; and on
    /// ARM64 Skia's libjpeg-turbo has its NEON code. Elsewhere SkiaSharp decodes every JPEG.
    /// </summary>
    public static bool PaysHere => JpegDecoderIdctAvx2.IsSupported;

    /// <summary>The row of the output image <paramref name="y"/> goes into (width bytes for gray, 4 · width for colour).</summary>
    public delegate Span<byte> RowTarget(int y);

    private const int Ring = 3;

    /// <summary>
    /// Decodes <paramref name="file"/>, whose headers are <paramref name="header"/>, into the rows
    /// <paramref name="rows"/> gives; false where something is amiss (the rows written then are garbage).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryDecode(byte[] file, JpegDecoderHeader header, RowTarget rows)
    {
        var components = header.Components;
        var bands = new byte[components.Length][];
        for (var c = 0; c < components.Length; c++)
        {
            var comp = components[c];
            bands[c] = GC.AllocateUninitializedArray<byte>(Ring * comp.BlocksPerLine * 8 * comp.V * 8, pinned: true); // the IDCT writes through pointers
        }

        var entropy = new JpegDecoderEntropy(file, header.DataStart);
        var predictors = new int[components.Length];
        var restartsToGo = header.RestartInterval;
        var block = stackalloc int[64];
        new Span<int>(block, 64).Clear();
        var output = new Output(header, bands, rows);
        for (var m = 0; m < header.McuRows; m++)
        {
            for (var mx = 0; mx < header.McusPerLine; mx++)
            {
                if (header.RestartInterval > 0)
                {
                    if (restartsToGo == 0)
                    {
                        if (!entropy.Restart())
                        {
                            return false;
                        }

                        Array.Clear(predictors);
                        restartsToGo = header.RestartInterval;
                    }

                    restartsToGo--;
                }

                for (var c = 0; c < components.Length; c++)
                {
                    var comp = components[c];
                    var stride = comp.BlocksPerLine * 8;
                    var band = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bands[c])) + ((m % Ring) * stride * comp.V * 8);
                    for (var v = 0; v < comp.V; v++)
                    {
                        for (var h = 0; h < comp.H; h++)
                        {
                            var flags = entropy.DecodeBlock(block, comp, ref predictors[c]);
                            var at = (v * 8 * stride) + (((mx * comp.H) + h) * 8);
                            JpegDecoderIdct.Transform(block, band + at, stride, flags);
                            new Span<int>(block, 64).Clear();
                        }
                    }
                }

                if (!entropy.ConsumedOnlyData)
                {
                    return false;
                }
            }

            if (m > 0)
            {
                output.Emit(m - 1);
            }
        }

        if (!entropy.Finish())
        {
            return false;
        }

        output.Emit(header.McuRows - 1);
        return true;
    }

    /// <summary>Output rows from the decoded bands: gray copied, colour upsampled and converted.</summary>
    private sealed class Output(JpegDecoderHeader header, byte[][] bands, RowTarget rows)
    {
        private readonly byte[] _cb = new byte[header.McusPerLine * 16];
        private readonly byte[] _cr = new byte[header.McusPerLine * 16];

        /// <summary>Writes the output rows of MCU row <paramref name="m"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Emit(int m)
        {
            var rowsPerMcu = 8 * header.VMax;
            var end = Math.Min(header.Height, (m + 1) * rowsPerMcu);
            var width = header.Width;
            for (var y = m * rowsPerMcu; y < end; y++)
            {
                var luma = Row(0, y)[..width];
                if (header.Components.Length == 1)
                {
                    luma.CopyTo(rows(y));
                    continue;
                }

                JpegDecoderColor.YCbCrToRgba(luma, Chroma(1, y, _cb), Chroma(2, y, _cr), rows(y)[..(4 * width)]);
            }
        }

        /// <summary>Row <paramref name="r"/> of component <paramref name="c"/> in its ring of bands.</summary>
        private ReadOnlySpan<byte> Row(int c, int r)
        {
            var comp = header.Components[c];
            var (stride, bandRows) = (comp.BlocksPerLine * 8, comp.V * 8);
            return bands[c].AsSpan(((((r / bandRows) % Ring) * bandRows) + (r % bandRows)) * stride, stride);
        }

        /// <summary>Chroma for output row <paramref name="y"/> at full width, upsampled into <paramref name="scratch"/> as needed.</summary>
        private ReadOnlySpan<byte> Chroma(int c, int y, byte[] scratch)
        {
            var comp = header.Components[c];
            var n = comp.DownsampledWidth;
            switch (header.HMax, header.VMax)
            {
                case (1, 1):
                    return Row(c, y);
                case (2, 1):
                    JpegDecoderColor.UpsampleH2V1(Row(c, y)[..n], scratch);
                    return scratch;
                default:
                    // The chroma row holding this output row and the one beside it, above for an
                    // even row and below for an odd one; at the picture's edges libjpeg repeats the edge row.
                    var cy = y >> 1;
                    var beside = Math.Clamp((y & 1) == 0 ? cy - 1 : cy + 1, 0, comp.DownsampledHeight - 1);
                    JpegDecoderColor.UpsampleH2V2(Row(c, cy)[..n], Row(c, beside)[..n], scratch);
                    return scratch;
            }
        }
    }
}
