using ConvSharp.Compute.Gemm;

namespace ConvSharp.Compute;

/// <summary>Which direction of a convolution a plan is for: each is planned on its own.</summary>
internal enum ConvDirection
{
    Forward,
    BackwardInput,
    BackwardWeight,
}

/// <summary>A planner's decision: the algorithm, the GEMM kernel and the thread count for one call.</summary>
internal readonly record struct ConvPlan(ConvAlgorithm Algorithm, GemmKernel Kernel, int Threads);
