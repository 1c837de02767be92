using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// The ARM64 NEON micro-kernel: a 6×16 tile of C in twenty-four <c>Vector128</c> accumulators,
/// multiplying by lanes of A (FMLA by element) instead of broadcasting it.
/// <code>
///                 b[k, 0..3]  b[k, 4..7]  b[k, 8..11]  b[k, 12..15]   (four vector loads per k)
///  a[k, 0] lane 0 c00         c01         c02          c03            (A: one 4-lane and one
///   ...                                                                 2-lane load per k)
///  a[k, 5] lane 1 c50         c51         c52          c53            24 FMAs per k
/// </code>
/// 24 accumulators + 4 B vectors + 2 A vectors = 30 of the 32 NEON registers, the register
/// budget of BLIS's armv8a 8×12 kernel with the AVX2 kernel's packing (6 rows, 16 columns), so
/// packing and blocking are shared with it. Per k: 6 loads for 24 FMAs. Only reachable on
/// ARM64 (AdvSimd.Arm64.IsSupported); CI runs it under QEMU. Scalar equivalent:
/// <see cref="MicroKernelScalar"/>, bitwise (every step is one fused multiply-add).
/// </summary>
internal readonly struct MicroKernelAdvSimd6x16 : IMicroKernel
{
    public static int MR => 6;

    public static int NR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector128<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector128<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector128<float> c50 = default, c51 = default, c52 = default, c53 = default;

        // In bounds: a is kc·6 floats and b kc·16 (whole packed panels), c six rows of 16 (IMicroKernel.Run).
        for (var k = 0; k < kc; k++)
        {
            var b0 = AdvSimd.LoadVector128(b);
            var b1 = AdvSimd.LoadVector128(b + 4);
            var b2 = AdvSimd.LoadVector128(b + 8);
            var b3 = AdvSimd.LoadVector128(b + 12);
            var a0 = AdvSimd.LoadVector128(a);
            var a1 = AdvSimd.LoadVector64(a + 4);
            c00 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c00, b0, a0, 0);
            c01 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c01, b1, a0, 0);
            c02 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c02, b2, a0, 0);
            c03 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c03, b3, a0, 0);
            c10 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c10, b0, a0, 1);
            c11 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c11, b1, a0, 1);
            c12 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c12, b2, a0, 1);
            c13 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c13, b3, a0, 1);
            c20 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c20, b0, a0, 2);
            c21 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c21, b1, a0, 2);
            c22 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c22, b2, a0, 2);
            c23 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c23, b3, a0, 2);
            c30 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c30, b0, a0, 3);
            c31 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c31, b1, a0, 3);
            c32 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c32, b2, a0, 3);
            c33 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c33, b3, a0, 3);
            c40 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c40, b0, a1, 0);
            c41 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c41, b1, a1, 0);
            c42 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c42, b2, a1, 0);
            c43 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c43, b3, a1, 0);
            c50 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c50, b0, a1, 1);
            c51 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c51, b1, a1, 1);
            c52 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c52, b2, a1, 1);
            c53 = AdvSimd.Arm64.FusedMultiplyAddBySelectedScalar(c53, b3, a1, 1);
            a += 6;
            b += 16;
        }

        Store(c, c00, c01, c02, c03, accumulate);
        Store(c + ldc, c10, c11, c12, c13, accumulate);
        Store(c + (2 * ldc), c20, c21, c22, c23, accumulate);
        Store(c + (3 * ldc), c30, c31, c32, c33, accumulate);
        Store(c + (4 * ldc), c40, c41, c42, c43, accumulate);
        Store(c + (5 * ldc), c50, c51, c52, c53, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, Vector128<float> v0, Vector128<float> v1, Vector128<float> v2, Vector128<float> v3, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector128.Load(row);
            v1 += Vector128.Load(row + 4);
            v2 += Vector128.Load(row + 8);
            v3 += Vector128.Load(row + 12);
        }

        v0.Store(row);
        v1.Store(row + 4);
        v2.Store(row + 8);
        v3.Store(row + 12);
    }
}
