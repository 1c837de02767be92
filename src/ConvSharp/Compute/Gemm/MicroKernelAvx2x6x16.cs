using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// The AVX2 + FMA micro-kernel: a 6×16 tile of C held in twelve <c>Vector256</c> accumulators.
/// <code>
///            b[k, 0..7]   b[k, 8..15]        (two vector loads per k)
///  a[k, 0]   c00          c01                 (one broadcast per row per k)
///  a[k, 1]   c10          c11
///   ...      ...          ...
///  a[k, 5]   c50          c51                 12 FMAs per k
/// </code>
/// 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers. Per k: 2 loads +
/// 6 broadcasts for 12 FMAs, so the two FMA ports, not the loads, set the pace. Scalar
/// equivalent: <see cref="MicroKernelScalar"/>. The JIT keeps all twelve accumulators in
/// registers, folds nothing it should not (DOTNET_JitDisasm: 2 vmovups, 6 vbroadcastss, 12
/// vfmadd231ps per k). Alone on panels in L1 (<c>bench gemm</c>) it ran at 83–102 % of the
/// measured one-core FMA peak on an AMD EPYC Zen 3 (three runs on a shared, noisy machine).
/// </summary>
internal readonly struct MicroKernelAvx2x6x16 : IMicroKernel
{
    public static int MR => 6;

    public static int NR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;

        // In bounds: a is kc·6 floats and b kc·16 (whole packed panels), c six rows of 16 (IMicroKernel.Run).
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            a += 6;
            b += 16;
        }

        Store(c, c00, c01, accumulate);
        Store(c + ldc, c10, c11, accumulate);
        Store(c + (2 * ldc), c20, c21, accumulate);
        Store(c + (3 * ldc), c30, c31, accumulate);
        Store(c + (4 * ldc), c40, c41, accumulate);
        Store(c + (5 * ldc), c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, Vector256<float> left, Vector256<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector256.Load(row);
            right += Vector256.Load(row + 8);
        }

        left.Store(row);
        right.Store(row + 8);
    }
}
