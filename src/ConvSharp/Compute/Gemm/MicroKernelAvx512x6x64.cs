using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// The AVX-512 micro-kernel: a 6×64 tile of C held in twenty-four <c>Vector512</c> accumulators.
/// <code>
///            b[k, 0..15]  b[k, 16..31]  b[k, 32..47]  b[k, 48..63]   (four vector loads per k)
///  a[k, 0]   c00          c01           c02           c03             (one broadcast per row per k)
///   ...      ...          ...           ...           ...
///  a[k, 5]   c50          c51           c52           c53             24 FMAs per k
/// </code>
/// 24 accumulators + 4 B vectors + 1 broadcast = 29 of the 32 zmm registers, the shape of
/// oneDNN's f32 brgemm (6 rows × 4 vectors) and BLIS's zen4 kernel. Per k: 4 loads + 6
/// broadcasts (which the JIT folds into the FMAs as embedded {1to16} operands) for 24 FMAs, so
/// two FMA ports need 12 cycles and two load ports 5: the FMAs set the pace, and 24
/// independent chains cover their 4-cycle latency twice over. Six rows keep the A packing
/// of the AVX2 kernel. Scalar equivalent: <see cref="MicroKernelScalar"/> (same sums, wider
/// tile). Not yet timed on AVX-512 hardware (the machines it was written on had AVX2 only):
/// <c>bench gemm</c> prints the kernel alone on data in L1 as a share of the measured peak.
/// </summary>
internal readonly struct MicroKernelAvx512x6x64 : IMicroKernel
{
    public static int MR => 6;

    public static int NR => 64;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;

        // In bounds: a is kc·6 floats and b kc·64 (whole packed panels), c six rows of 64 (IMicroKernel.Run).
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var b3 = Vector512.Load(b + 48);
            var ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(ai, b2, c02);
            c03 = Vector512.FusedMultiplyAdd(ai, b3, c03);
            ai = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(ai, b2, c12);
            c13 = Vector512.FusedMultiplyAdd(ai, b3, c13);
            ai = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(ai, b2, c22);
            c23 = Vector512.FusedMultiplyAdd(ai, b3, c23);
            ai = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(ai, b2, c32);
            c33 = Vector512.FusedMultiplyAdd(ai, b3, c33);
            ai = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            c42 = Vector512.FusedMultiplyAdd(ai, b2, c42);
            c43 = Vector512.FusedMultiplyAdd(ai, b3, c43);
            ai = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            c52 = Vector512.FusedMultiplyAdd(ai, b2, c52);
            c53 = Vector512.FusedMultiplyAdd(ai, b3, c53);
            a += 6;
            b += 64;
        }

        Store(c, c00, c01, c02, c03, accumulate);
        Store(c + ldc, c10, c11, c12, c13, accumulate);
        Store(c + (2 * ldc), c20, c21, c22, c23, accumulate);
        Store(c + (3 * ldc), c30, c31, c32, c33, accumulate);
        Store(c + (4 * ldc), c40, c41, c42, c43, accumulate);
        Store(c + (5 * ldc), c50, c51, c52, c53, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector512.Load(row);
            v1 += Vector512.Load(row + 16);
            v2 += Vector512.Load(row + 32);
            v3 += Vector512.Load(row + 48);
        }

        v0.Store(row);
        v1.Store(row + 16);
        v2.Store(row + 32);
        v3.Store(row + 48);
    }
}
