namespace ConvSharp.Compute;

/// <summary>
/// The ways the engine can compute a convolution. One enum, used by the planner, the engine,
/// the tests, the benchmarks and the <c>CONVSHARP_CONV_ALGO</c> override.
/// </summary>
public enum ConvAlgorithm
{
    /// <summary>Let the planner choose.</summary>
    Auto,

    /// <summary>The definition as loops, summed in double: never fast, always right; the oracle.</summary>
    Reference,

    /// <summary>SIMD loops over the image for filters where each output channel reads one input channel (single-channel, depthwise).</summary>
    Direct,

    /// <summary>1×1 kernels with stride 1 and no padding: a plain GEMM on the image, no im2col.</summary>
    GemmDirect1x1,

    /// <summary>im2col into a bounded tile of the column matrix, then the packed SIMD GEMM.</summary>
    Im2colGemm,

    /// <summary>The packed SIMD GEMM gathering its B panels straight from the image: no column matrix at all.</summary>
    ImplicitGemm,

    /// <summary>Winograd's minimal filtering F(4×4, 3×3) for 3×3 kernels with stride and dilation 1.</summary>
    Winograd4x3,

    /// <summary>Fast Fourier transforms, for large single-channel kernels.</summary>
    Fft,
}
