using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// The AVX-512 micro-kernel: an 8×32 tile of C held in sixteen <c>Vector512</c> accumulators.
/// <code>
///            b[k, 0..15]  b[k, 16..31]       (two vector loads per k)
///  a[k, 0]   c00          c01                 (one broadcast per row per k)
///   ...      ...          ...
///  a[k, 7]   c70          c71                 16 FMAs per k
/// </code>
/// 16 accumulators + 2 B vectors + 1 broadcast = 19 of the 32 zmm registers, enough
/// independent chains to cover the FMA latency on two ports. 8 rows divide the usual channel
/// counts (64, 128, 256) exactly. Scalar equivalent: the same sums as <see cref="MicroKernelScalar"/>
/// on an 8×32 tile. Tested on every remainder (in software where the CPU lacks AVX-512); not yet
/// timed on AVX-512 hardware: the machine the README's figures come from has AVX2 only.
/// </summary>
internal readonly struct MicroKernelAvx512x8x32 : IMicroKernel
{
    public static int MR => 8;

    public static int NR => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;

        // In bounds: a is kc·8 floats and b kc·32 (whole packed panels), c eight rows of 32 (IMicroKernel.Run).
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
            a += 8;
            b += 32;
        }

        Store(c, c00, c01, accumulate);
        Store(c + ldc, c10, c11, accumulate);
        Store(c + (2 * ldc), c20, c21, accumulate);
        Store(c + (3 * ldc), c30, c31, accumulate);
        Store(c + (4 * ldc), c40, c41, accumulate);
        Store(c + (5 * ldc), c50, c51, accumulate);
        Store(c + (6 * ldc), c60, c61, accumulate);
        Store(c + (7 * ldc), c70, c71, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, Vector512<float> left, Vector512<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector512.Load(row);
            right += Vector512.Load(row + 16);
        }

        left.Store(row);
        right.Store(row + 16);
    }
}
