using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvSharp.Compute.Gemm;

/// <summary>
/// The 128-bit micro-kernel for x64 without AVX2 (SSE): a 6×8 tile of C in twelve
/// <c>Vector128</c> accumulators, the AVX2 kernel's shape at half the width.
/// <code>
///            b[k, 0..3]   b[k, 4..7]         (two vector loads per k)
///  a[k, 0]   c00          c01                 (one broadcast per row per k)
///   ...      ...          ...
///  a[k, 5]   c50          c51                 12 multiply-adds per k
/// </code>
/// 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 xmm registers.
/// <c>MultiplyAddEstimate</c> is one fused instruction where the CPU has FMA and a multiply
/// then an add where it does not (DOTNET_EnableAVX2=0 turns FMA off with AVX2 in .NET 10), so
/// the sums may round differently from the fused kernels by an ulp per step.
/// Scalar equivalent: <see cref="MicroKernelScalar"/>.
/// </summary>
internal readonly struct MicroKernelVector128x6x8 : IMicroKernel
{
    public static int MR => 6;

    public static int NR => 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;

        // In bounds: a is kc·6 floats and b kc·8 (whole packed panels), c six rows of 8 (IMicroKernel.Run).
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var ai = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(ai, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(ai, b1, c01);
            ai = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(ai, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(ai, b1, c11);
            ai = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(ai, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(ai, b1, c21);
            ai = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(ai, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(ai, b1, c31);
            ai = Vector128.Create(a[4]);
            c40 = Vector128.MultiplyAddEstimate(ai, b0, c40);
            c41 = Vector128.MultiplyAddEstimate(ai, b1, c41);
            ai = Vector128.Create(a[5]);
            c50 = Vector128.MultiplyAddEstimate(ai, b0, c50);
            c51 = Vector128.MultiplyAddEstimate(ai, b1, c51);
            a += 6;
            b += 8;
        }

        Store(c, c00, c01, accumulate);
        Store(c + ldc, c10, c11, accumulate);
        Store(c + (2 * ldc), c20, c21, accumulate);
        Store(c + (3 * ldc), c30, c31, accumulate);
        Store(c + (4 * ldc), c40, c41, accumulate);
        Store(c + (5 * ldc), c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, Vector128<float> left, Vector128<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector128.Load(row);
            right += Vector128.Load(row + 4);
        }

        left.Store(row);
        right.Store(row + 4);
    }
}
