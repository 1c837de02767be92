using ConvSharp.Compute;
using ConvSharp.Compute.Gemm;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Compute;

/// <summary>
/// Every micro-kernel (whatever this CPU accelerates: Vector256/512 run in software where the
/// hardware lacks them) against the double-precision triple loop, over every remainder of the
/// register tile and of KC, with canaries around C.
/// </summary>
[Trait("Category", "Kernels")]
public unsafe class GemmTests
{
    /// <summary>
    /// Every kernel this process can execute: the Vector128/256/512 ones run everywhere (in
    /// software where the hardware lacks them); the AdvSimd one only on ARM64, whose intrinsics
    /// have no software form.
    /// </summary>
    public static TheoryData<string> Kernels() => [.. Runnable().Select(k => k.ToString())];

    /// <summary>The SIMD kernels on the scalar kernel's 6×16 tile, each step one fused multiply-add.</summary>
    public static TheoryData<string> FusedKernelsOnTheScalarTile() =>
        [.. Runnable().Where(k => k is GemmKernel.Avx2 or GemmKernel.AdvSimd).Select(k => k.ToString())];

    private static IEnumerable<GemmKernel> Runnable() =>
        Enum.GetValues<GemmKernel>().Where(k => k != GemmKernel.AdvSimd || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Every_remainder_of_the_tile_and_of_KC_is_right(string kernelName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var blocking = GemmBlocking.For(kernel);
        int[] ns = [1, blocking.NR - 1, blocking.NR, blocking.NR + 1, (2 * blocking.NR) + 3];
        int[] ks = [1, 2, blocking.KC - 1, blocking.KC, blocking.KC + 1, (2 * blocking.KC) + 3];
        var data = new TestData((int)kernel);
        for (var m = 1; m <= (2 * blocking.MR) + 1; m++)
        {
            foreach (var n in ns)
            {
                foreach (var k in ks)
                {
                    CheckAgainstReference(kernel, m, n, k, transposeA: false, transposeB: false, accumulate: false, data);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Transposed_operands_and_accumulation_are_right(string kernelName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var data = new TestData(7);
        foreach (var (m, n, k) in new[] { (7, 19, 33), (13, 40, 300), (1, 5, 2) })
        {
            CheckAgainstReference(kernel, m, n, k, transposeA: true, transposeB: false, accumulate: false, data);
            CheckAgainstReference(kernel, m, n, k, transposeA: false, transposeB: true, accumulate: true, data);
            CheckAgainstReference(kernel, m, n, k, transposeA: true, transposeB: true, accumulate: true, data);
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Large_products_split_over_threads_are_right_and_bitwise_identical_to_one_thread(string kernelName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var data = new TestData(11);
        var (m, n, k) = (70, 1000, 600);
        var a = data.Normal(m, k).ToArray();
        var b = data.Normal(k, n).ToArray();
        var single = new float[m * n];
        var many = new float[m * n];
        fixed (float* pa = a, pb = b, p1 = single, p4 = many)
        {
            Sgemm.Multiply(kernel, m, n, k, pa, k, 1, pb, n, 1, p1, n, accumulate: false, threads: 1);
            Sgemm.Multiply(kernel, m, n, k, pa, k, 1, pb, n, 1, p4, n, accumulate: false, threads: 4);
        }

        Assert.Equal(single, many);
        var expected = new float[m * n];
        GemmReference.Multiply(m, n, k, a, k, 1, b, n, 1, expected, n, accumulate: false);
        Expect.Close(expected, single, rtol: 1e-4, atol: 1e-3);
    }

    [Theory]
    [MemberData(nameof(FusedKernelsOnTheScalarTile))]
    public void Kernels_on_the_scalar_tile_agree_with_it_bitwise(string kernelName)
    {
        // Same tiles, same KC slices, same fused steps: the scalar kernel's sums exactly.
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var data = new TestData(3);
        var (m, n, k) = (13, 37, (2 * GemmBlocking.For(kernel).KC) + 7);
        var a = data.Normal(m, k).ToArray();
        var b = data.Normal(k, n).ToArray();
        var scalar = new float[m * n];
        var simd = new float[m * n];
        fixed (float* pa = a, pb = b, ps = scalar, pv = simd)
        {
            Sgemm.Multiply(GemmKernel.Scalar, m, n, k, pa, k, 1, pb, n, 1, ps, n, false, 1);
            Sgemm.Multiply(kernel, m, n, k, pa, k, 1, pb, n, 1, pv, n, false, 1);
        }

        Assert.Equal(scalar, simd);
    }

    [Fact]
    public void Products_larger_than_the_weight_budget_pack_A_in_passes()
    {
        // M·K over the 16 MB weight budget: A is packed a block of rows at a time.
        var data = new TestData(5);
        var (m, n, k) = (4100, 9, 1100);
        var a = data.Normal(m, k).ToArray();
        var b = data.Normal(k, n).ToArray();
        var c = new float[m * n];
        fixed (float* pa = a, pb = b, pc = c)
        {
            Sgemm.Multiply(CpuCaps.Current.Kernel, m, n, k, pa, k, 1, pb, n, 1, pc, n, false, 2);
        }

        var expected = new float[m * n];
        GemmReference.Multiply(m, n, k, a, k, 1, b, n, 1, expected, n, accumulate: false);
        Expect.Close(expected, c, rtol: 1e-4, atol: 1e-3);
    }

    private static void CheckAgainstReference(GemmKernel kernel, int m, int n, int k, bool transposeA, bool transposeB, bool accumulate, TestData data)
    {
        var a = data.Normal(m * k).ToArray();
        var b = data.Normal(k * n).ToArray();
        var (aRow, aColumn) = transposeA ? (1, m) : (k, 1);
        var (bRow, bColumn) = transposeB ? (1, k) : (n, 1);
        var ldc = n + 3;
        var guarded = new GuardedBuffer((m * ldc) - 3, data);
        var expected = guarded.Values.ToArray();
        GemmReference.Multiply(m, n, k, a, aRow, aColumn, b, bRow, bColumn, expected, ldc, accumulate);
        fixed (float* pa = a, pb = b)
        {
            Sgemm.Multiply(kernel, m, n, k, pa, aRow, aColumn, pb, bRow, bColumn, guarded.Pointer, ldc, accumulate, threads: 2);
        }

        guarded.AssertCanariesIntact($"{kernel} m={m} n={n} k={k}");
        for (var i = 0; i < m; i++)
        {
            Expect.Close(
                expected.AsSpan(i * ldc, n), guarded.Values.Slice(i * ldc, n), rtol: 1e-4, atol: 1e-5 * k,
                what: $"{kernel} m={m} n={n} k={k} row {i}");
            if (i < m - 1)
            {
                // The gap between rows (ldc > n) belongs to someone else.
                Assert.Equal(expected.AsSpan((i * ldc) + n, 3).ToArray(), guarded.Values.Slice((i * ldc) + n, 3).ToArray());
            }
        }
    }
}
