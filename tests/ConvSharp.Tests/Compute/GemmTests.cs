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
    public static TheoryData<string> Kernels() => [nameof(GemmKernel.Scalar), nameof(GemmKernel.Avx2), nameof(GemmKernel.Avx512)];

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

    [Fact]
    public void Scalar_and_avx2_kernels_agree_bitwise()
    {
        // Both are chains of fused multiply-adds over the same 6×16 tiles and KC slices.
        var data = new TestData(3);
        var (m, n, k) = (13, 37, 520);
        var a = data.Normal(m, k).ToArray();
        var b = data.Normal(k, n).ToArray();
        var scalar = new float[m * n];
        var simd = new float[m * n];
        fixed (float* pa = a, pb = b, ps = scalar, pv = simd)
        {
            Sgemm.Multiply(GemmKernel.Scalar, m, n, k, pa, k, 1, pb, n, 1, ps, n, false, 1);
            Sgemm.Multiply(GemmKernel.Avx2, m, n, k, pa, k, 1, pb, n, 1, pv, n, false, 1);
        }

        Assert.Equal(scalar, simd);
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
