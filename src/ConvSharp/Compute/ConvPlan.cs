using ConvSharp.Compute.Gemm;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Compute;

/// <summary>Which direction of a convolution a plan is for: each is planned on its own.</summary>
internal enum ConvDirection
{
    Forward,
    BackwardInput,
    BackwardWeight,
}

/// <summary>A planner's decision: the algorithm, the GEMM kernel and the thread count for one call, and its workspace.</summary>
internal readonly record struct ConvPlan(ConvAlgorithm Algorithm, GemmKernel Kernel, int Threads)
{
    /// <summary>
    /// The workspace the call may hold, in floats: each algorithm sizes its tiles, and the work
    /// items it runs at once, to stay within it. The 32 MB bound, less what a caller holds around
    /// the call (an input gradient's flipped weights, around the forward pass that computes it).
    /// </summary>
    public long BudgetFloats { get; init; } = Workspace.MaxFloats;

    /// <summary>
    /// The most workspace the call holds, in floats as the pool counts them (whole size classes):
    /// computed by the planner from the same tilings the algorithm runs (as MLAS's
    /// <c>MlasConvPrepare</c> returns its working buffer size), at most <see cref="BudgetFloats"/>.
    /// Zero for a plan made by hand, which the algorithms do not read it from.
    /// </summary>
    public long WorkspaceFloats { get; init; }
}
