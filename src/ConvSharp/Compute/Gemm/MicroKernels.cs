using System.Runtime.CompilerServices;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// A micro-kernel: C[MR×NR] (=|+=) Σₖ a[k]ᵀ b[k] over packed panels, a being kc columns of MR
/// values and b kc rows of NR values. Static abstract members let the GEMM driver be
/// specialised per kernel by the JIT, with no call through a delegate in the inner loop.
/// </summary>
internal interface IMicroKernel
{
    static abstract int MR { get; }

    static abstract int NR { get; }

    /// <remarks>
    /// Reads kc·MR floats of <paramref name="a"/> and kc·NR of <paramref name="b"/>, reads (when
    /// accumulating) and writes MR rows of NR floats of <paramref name="c"/>, with no checks: the
    /// driver (<see cref="Sgemm"/>) passes whole packed panels and whole tiles, or its edge scratch.
    /// </remarks>
    /// <param name="kc">depth of the panels</param>
    /// <param name="a">packed A panel: kc × MR, k-major</param>
    /// <param name="b">packed B panel: kc × NR, k-major</param>
    /// <param name="c">the MR×NR tile of C, row-major with row stride <paramref name="ldc"/></param>
    /// <param name="ldc">row stride of C</param>
    /// <param name="accumulate">add to C instead of overwriting it</param>
    static abstract unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, bool accumulate);
}

/// <summary>
/// The reference micro-kernel: the same 6×16 tile as <see cref="MicroKernelAvx2x6x16"/>, as
/// loops. Used when the hardware has no SIMD (DOTNET_EnableHWIntrinsic=0) and as the oracle.
/// </summary>
internal readonly struct MicroKernelScalar : IMicroKernel
{
    public static int MR => 6;

    public static int NR => 16;

    [SkipLocalsInit]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        var tile = stackalloc float[6 * 16]; // a fixed 384 bytes
        new Span<float>(tile, 6 * 16).Clear();
        for (var k = 0; k < kc; k++)
        {
            for (var i = 0; i < 6; i++)
            {
                var ai = a[(k * 6) + i];
                for (var j = 0; j < 16; j++)
                {
                    tile[(i * 16) + j] = MathF.FusedMultiplyAdd(ai, b[(k * 16) + j], tile[(i * 16) + j]);
                }
            }
        }

        for (var i = 0; i < 6; i++)
        {
            for (var j = 0; j < 16; j++)
            {
                c[(i * ldc) + j] = accumulate ? c[(i * ldc) + j] + tile[(i * 16) + j] : tile[(i * 16) + j];
            }
        }
    }
}
