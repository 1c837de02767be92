using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvSharp.Compute.Fft;

/// <summary>
/// The radix-2 FFT of every column of a T×T complex tile (T a power of two), with real and
/// imaginary parts in separate row-major arrays. A butterfly combines two whole rows, so the
/// work is vectorised across columns with <see cref="Vector{T}"/>; transposing the tile between
/// two column passes gives the 2-D transform. Iterative Cooley–Tukey: bit-reversal of the rows,
/// then log₂T stages of butterflies with twiddles e^(∓2πi·j/len) computed once per size in double.
/// </summary>
internal sealed unsafe class TileFft
{
    private static readonly ConcurrentDictionary<int, TileFft> Cache = new();
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly int[] _reversed;

    private TileFft(int size)
    {
        Size = size;
        _cos = new float[size / 2];
        _sin = new float[size / 2];
        for (var j = 0; j < size / 2; j++)
        {
            var angle = -2 * Math.PI * j / size;
            _cos[j] = (float)Math.Cos(angle);
            _sin[j] = (float)Math.Sin(angle);
        }

        var bits = BitOperations.Log2((uint)size);
        _reversed = [.. Enumerable.Range(0, size).Select(i => (int)(ReverseBits((uint)i) >> (32 - bits)))];
    }

    public int Size { get; }

    public static TileFft For(int size) => Cache.GetOrAdd(size, s => new TileFft(s));

    /// <summary>Transforms every column in place; <paramref name="inverse"/> uses e^(+2πi…) and does not scale.</summary>
    /// <remarks><paramref name="re"/> and <paramref name="im"/> are Size × Size floats each, as every method here assumes.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Columns(float* re, float* im, bool inverse)
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            var j = _reversed[i];
            if (j > i)
            {
                SwapRows(re, i, j);
                SwapRows(im, i, j);
            }
        }

        for (var length = 2; length <= n; length <<= 1)
        {
            var half = length >> 1;
            var step = n / length;
            for (var start = 0; start < n; start += length)
            {
                for (var j = 0; j < half; j++)
                {
                    var wr = _cos[j * step];
                    var wi = inverse ? -_sin[j * step] : _sin[j * step];
                    Butterfly(re, im, start + j, start + j + half, wr, wi);
                }
            }
        }
    }

    /// <summary>In-place transpose of a T×T tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Transpose(float* a)
    {
        var n = Size;
        // In bounds: i, j < n index the n × n tile.
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                (a[(i * n) + j], a[(j * n) + i]) = (a[(j * n) + i], a[(i * n) + j]);
            }
        }
    }

    /// <summary>rows a, b ← a + w·b, a − w·b across all columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Butterfly(float* re, float* im, int a, int b, float wr, float wi)
    {
        var n = Size;
        var ar = re + ((nint)a * n);
        var ai = im + ((nint)a * n);
        var br = re + ((nint)b * n);
        var bi = im + ((nint)b * n);
        // In bounds: rows a, b < n of n floats each (the butterflies pair rows of the tile); whole vectors stop at n.
        var c = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vwr = new Vector<float>(wr);
            var vwi = new Vector<float>(wi);
            for (; c + Vector<float>.Count <= n; c += Vector<float>.Count)
            {
                var xr = Unsafe.ReadUnaligned<Vector<float>>(br + c);
                var xi = Unsafe.ReadUnaligned<Vector<float>>(bi + c);
                var tr = (vwr * xr) - (vwi * xi);
                var ti = (vwr * xi) + (vwi * xr);
                var yr = Unsafe.ReadUnaligned<Vector<float>>(ar + c);
                var yi = Unsafe.ReadUnaligned<Vector<float>>(ai + c);
                Unsafe.WriteUnaligned(br + c, yr - tr);
                Unsafe.WriteUnaligned(bi + c, yi - ti);
                Unsafe.WriteUnaligned(ar + c, yr + tr);
                Unsafe.WriteUnaligned(ai + c, yi + ti);
            }
        }

        for (; c < n; c++)
        {
            var tr = (wr * br[c]) - (wi * bi[c]);
            var ti = (wr * bi[c]) + (wi * br[c]);
            br[c] = ar[c] - tr;
            bi[c] = ai[c] - ti;
            ar[c] += tr;
            ai[c] += ti;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SwapRows(float* a, int i, int j)
    {
        var n = Size;
        var x = new Span<float>(a + ((nint)i * n), n);
        var y = new Span<float>(a + ((nint)j * n), n);
        for (var c = 0; c < n; c++)
        {
            (x[c], y[c]) = (y[c], x[c]);
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555) | ((v & 0x55555555) << 1);
        v = ((v >> 2) & 0x33333333) | ((v & 0x33333333) << 2);
        v = ((v >> 4) & 0x0F0F0F0F) | ((v & 0x0F0F0F0F) << 4);
        v = ((v >> 8) & 0x00FF00FF) | ((v & 0x00FF00FF) << 8);
        return (v >> 16) | (v << 16);
    }
}
