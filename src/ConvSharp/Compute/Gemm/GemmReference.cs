namespace ConvSharp.Compute.Gemm;

/// <summary>C = A·B (+ C) as a triple loop summed in double: the oracle for the GEMM tests.</summary>
internal static class GemmReference
{
    public static void Multiply(
        int m, int n, int k, ReadOnlySpan<float> a, int aRowStride, int aColumnStride,
        ReadOnlySpan<float> b, int bRowStride, int bColumnStride, Span<float> c, int ldc, bool accumulate)
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = accumulate ? c[(i * ldc) + j] : 0.0;
                for (var p = 0; p < k; p++)
                {
                    sum += (double)a[(i * aRowStride) + (p * aColumnStride)] * b[(p * bRowStride) + (j * bColumnStride)];
                }

                c[(i * ldc) + j] = (float)sum;
            }
        }
    }
}
