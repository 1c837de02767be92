using System.Numerics;
using System.Runtime.CompilerServices;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute.Fft;

/// <summary>
/// Convolution by FFT for single-channel (and depthwise) filters with stride and dilation 1,
/// by overlap-save on T×T tiles: a tile of padded input holds V = T − KH + 1 rows (and
/// T − KW + 1 columns) of valid outputs, which the circular cross-correlation
/// IFFT(FFT(tile)·conj(FFT(kernel))) gives without wrap-around. Two real tiles ride in one
/// complex transform, as its real and imaginary parts: the kernel is real, so the two results
/// come back in the real and imaginary parts too. Tiles keep memory bounded and in cache
/// whatever the image size. Rounding grows with log T: results agree with the reference to
/// about 1e-5 relative, and the tests allow 1e-3. Against the direct loops on a 15×15 filter:
/// <c>dotnet run -c Release --project bench/ConvSharp.Benchmarks -- probe img-15x15</c>.
/// </summary>
internal static unsafe class FftConv
{
    /// <summary>
    /// The largest kernel side FFT takes. Kernels whose tiles would pass <see cref="FftTiling.MaxTile"/>
    /// are cut into blocks, up to four at this size; past it the direct loops cost about as much.
    /// </summary>
    public const int MaxKernel = 1024;

    /// <summary>The workspace <see cref="Forward"/> holds at the most for this plan.</summary>
    public static long WorkspaceFloats(in ConvGeometry g, in ConvPlan plan) => FftTiling.For(g, plan.Threads, plan.BudgetFloats).Floats;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, in ConvPlan plan, float* input, float* weight, float* bias, float* output)
    {
        // Kernel spectra are kept for a pass of output channels at a time, within half the budget (FftTiling).
        var tiling = FftTiling.For(g, plan.Threads, plan.BudgetFloats);

        // oc0 steps by the pass it did, never past OC, which may be within a pass of int.MaxValue.
        for (var oc0 = 0; oc0 < g.OC; oc0 += Math.Min(tiling.ChannelsPerPass, g.OC - oc0))
        {
            var oc1 = oc0 + Math.Min(tiling.ChannelsPerPass, g.OC - oc0);
            for (var block = 0; block < tiling.BlocksH * tiling.BlocksW; block++)
            {
                // Block by block, in order: the first writes the outputs (with the bias), the others add to them.
                var (kh0, kh1) = EvenSplit.Part(g.KH, tiling.BlocksH, block / tiling.BlocksW);
                var (kw0, kw1) = EvenSplit.Part(g.KW, tiling.BlocksW, block % tiling.BlocksW);
                ForwardBlock(g, tiling, new KernelBlock(kh0, kh1, kw0, kw1, block > 0), oc0, oc1, input, weight, bias, output);
            }
        }
    }

    /// <summary>Output channels [oc0, oc1), the taps of one block of the kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBlock(in ConvGeometry g, FftTiling tiling, KernelBlock block, int oc0, int oc1, float* input, float* weight, float* bias, float* output)
    {
        var size = tiling.Size;
        var fft = TileFft.For(size);
        var (validH, validW) = (size - block.Rows + 1, size - block.Columns + 1);
        // In 64 bits: OH or OW may be within a tile of int.MaxValue (an output of Array.MaxLength floats).
        var (tilesH, tilesW) = ((int)((g.OH + (long)validH - 1) / validH), (int)((g.OW + (long)validW - 1) / validW));
        var tiles = tilesH * tilesW;
        var pairs = (tiles + 1) / 2;
        var area = size * size;
        var channels = oc1 - oc0;

        // The conjugated spectrum of every output channel's kernel block, in the transposed layout the tiles use.
        using var spectra = Workspace.Rent(2L * channels * area);
        for (var j = 0; j < channels; j++)
        {
            var oc = oc0 + j;
            // In bounds: channel j's 2·area floats of the spectra; the block (at most size a side) lands in the tile's corner.
            var re = spectra.Pointer + (2L * j * area);
            var im = re + area;
            new Span<float>(re, 2 * area).Clear();
            for (var kh = block.Row0; kh < block.Row1; kh++)
            {
                for (var kw = block.Column0; kw < block.Column1; kw++)
                {
                    re[((kh - block.Row0) * size) + kw - block.Column0] = weight[((((nint)oc * g.KH) + kh) * g.KW) + kw];
                }
            }

            Transform(fft, re, im, inverse: false);
            var conjugate = new Span<float>(im, area);
            for (var i = 0; i < area; i++)
            {
                conjugate[i] = -conjugate[i];
            }
        }

        var geometry = g;
        var spectraPointer = spectra.Pointer;
        var layout = new TileLayout(tilesW, validH, validW, size, block.Row0 - (long)g.PadTop, block.Column0 - (long)g.PadLeft);
        ParallelRunner.For(g.N * channels * pairs, tiling.Concurrency, task =>
        {
            var (plane, pair) = (task / pairs, task % pairs);
            var (image, j) = (plane / channels, plane % channels);
            var oc = oc0 + j;
            var channel = oc / geometry.GroupOutChannels;
            var source = input + ((((nint)image * geometry.C) + channel) * geometry.H * geometry.W);
            var destination = output + ((((nint)image * geometry.OC) + oc) * geometry.OH * geometry.OW);
            // In bounds: source and destination are one input and one output plane; each tile is area floats of work.
            using var work = Workspace.Rent(2L * area);
            var re = work.Pointer;
            var im = work.Pointer + area;
            var first = 2 * pair;
            var second = first + 1 < tiles ? first + 1 : -1;
            LoadTile(geometry, source, first, layout, re);
            if (second >= 0)
            {
                LoadTile(geometry, source, second, layout, im);
            }
            else
            {
                new Span<float>(im, area).Clear();
            }

            Transform(fft, re, im, inverse: false);
            Multiply(re, im, spectraPointer + (2L * j * area), spectraPointer + (2L * j * area) + area, area);
            Transform(fft, re, im, inverse: true);
            var b = block.Accumulate || bias == null ? 0f : bias[oc];
            var scale = 1f / area;
            StoreTile(geometry, re, first, layout, scale, b, block.Accumulate, destination);
            if (second >= 0)
            {
                StoreTile(geometry, im, second, layout, scale, b, block.Accumulate, destination);
            }
        });
    }

    /// <summary>2-D FFT of a tile; the result is transposed (rows are the second frequency), which the kernel spectra share.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transform(TileFft fft, float* re, float* im, bool inverse)
    {
        if (inverse)
        {
            fft.Columns(re, im, inverse: true);
            fft.Transpose(re);
            fft.Transpose(im);
            fft.Columns(re, im, inverse: true);
        }
        else
        {
            fft.Columns(re, im, inverse: false);
            fft.Transpose(re);
            fft.Transpose(im);
            fft.Columns(re, im, inverse: false);
        }
    }

    /// <summary>(re + i·im) ← (re + i·im)·(kr + i·ki), element-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply(float* re, float* im, float* kr, float* ki, int count)
    {
        // In bounds: the four arrays hold count floats each; whole vectors stop at count.
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= count; i += Vector<float>.Count)
            {
                var (a, b) = (Vector.Load(re + i), Vector.Load(im + i));
                var (c, d) = (Vector.Load(kr + i), Vector.Load(ki + i));
                ((a * c) - (b * d)).Store(re + i);
                ((a * d) + (b * c)).Store(im + i);
            }
        }

        for (; i < count; i++)
        {
            var (a, b) = (re[i], im[i]);
            re[i] = (a * kr[i]) - (b * ki[i]);
            im[i] = (a * ki[i]) + (b * kr[i]);
        }
    }

    /// <summary>The T×T block of zero-padded input that tile <paramref name="tile"/>'s outputs read through the kernel block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LoadTile(in ConvGeometry g, float* plane, int tile, in TileLayout layout, float* destination)
    {
        // In 64 bits: the tile's first output row may be near int.MaxValue (an OH ≈ int.MaxValue output) before the block's offset.
        var size = layout.Size;
        var y0 = ((long)(tile / layout.TilesW) * layout.ValidH) + layout.RowOffset;
        var x0 = ((long)(tile % layout.TilesW) * layout.ValidW) + layout.ColumnOffset;

        // In bounds: destination is size × size; PaddedRow.Copy reads only row iy ∈ [0, H), columns in [0, W).
        for (var r = 0; r < size; r++)
        {
            var iy = y0 + r;
            var row = (ulong)iy < (ulong)g.H ? plane + ((nint)iy * g.W) : null;
            PaddedRow.Copy(row, g.W, 1, x0, new Span<float>(destination + ((nint)r * size), size));
        }
    }

    /// <summary>Writes (or, for a later kernel block, adds) a tile's valid outputs, scaled, plus the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreTile(in ConvGeometry g, float* result, int tile, in TileLayout layout, float scale, float bias, bool accumulate, float* output)
    {
        var oy = tile / layout.TilesW * layout.ValidH;
        var ox = tile % layout.TilesW * layout.ValidW;

        // In bounds: output rows oy + r < OH and columns ox + c < OW (oy < OH and ox < OW, so the differences cannot
        // wrap, where oy + validH could); the result is read in its first validH rows and validW columns.
        var rows = Math.Min(layout.ValidH, g.OH - oy);
        var count = Math.Min(layout.ValidW, g.OW - ox);
        for (var r = 0; r < rows; r++)
        {
            var row = output + ((nint)(oy + r) * g.OW) + ox;
            var source = result + ((nint)r * layout.Size);
            for (var c = 0; c < count; c++)
            {
                row[c] = accumulate ? row[c] + (source[c] * scale) : (source[c] * scale) + bias;
            }
        }
    }

    /// <summary>Taps [Row0, Row1) × [Column0, Column1) of the kernel; a block after the first adds to the outputs.</summary>
    private readonly record struct KernelBlock(int Row0, int Row1, int Column0, int Column1, bool Accumulate)
    {
        public int Rows => Row1 - Row0;

        public int Columns => Column1 - Column0;
    }

    /// <summary>
    /// How a block's tiles cover the output: TilesW tiles a row, each ValidH × ValidW outputs of a
    /// Size × Size tile, whose first input row and column are the output's plus RowOffset and ColumnOffset.
    /// </summary>
    private readonly record struct TileLayout(int TilesW, int ValidH, int ValidW, int Size, long RowOffset, long ColumnOffset);
}
