using System.Numerics;
using System.Runtime.CompilerServices;
using ConvSharp.Compute.Direct;
using ConvSharp.Compute.Fft;
using ConvSharp.Compute.Parallel;
using ConvSharp.Compute.Reference;
using ConvSharp.Compute.Winograd;

namespace ConvSharp.Compute;

/// <summary>
/// The one switch from a plan to an implementation, for each direction. It knows every
/// algorithm; nothing else does. Buffers are contiguous: input (N, C, H, W), weight
/// (OC, C/groups, KH, KW), bias (OC) or empty, output (N, OC, OH, OW).
/// </summary>
internal static unsafe class ConvEngine
{
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, ConvPlanOptions options) =>
        Forward(g, ConvPlanner.Plan(g, ConvDirection.Forward, CpuCaps.Current, options), input, weight, bias, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, in ConvPlan plan, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)
    {
        if (output.IsEmpty)
        {
            return;
        }

        if (plan.Algorithm == ConvAlgorithm.Reference)
        {
            ConvReference.Forward(g, input, weight, bias, output);
            return;
        }

        // Pinned for the call. The callers pass exactly g's buffers (input N·C·H·W, weight OC·(C/groups)·KH·KW, bias OC
        // or none, output N·OC·OH·OW): every kernel's bounds start there. An empty input (H or W is 0) pins as null and is
        // never read, since every tap then lies in the padding.
        fixed (float* x = input, w = weight, b = bias, y = output)
        {
            var biasOrNull = bias.IsEmpty ? null : b;
            switch (plan.Algorithm)
            {
                case ConvAlgorithm.Direct:
                    DirectConv.Forward(g, plan, x, w, biasOrNull, y);
                    break;
                case ConvAlgorithm.Winograd4x3:
                    Winograd4x3.Forward(g, plan, x, w, biasOrNull, y);
                    break;
                case ConvAlgorithm.Fft:
                    FftConv.Forward(g, plan, x, w, biasOrNull, y);
                    break;
                default:
                    GemmConv.Forward(g, plan, x, w, biasOrNull, y);
                    break;
            }
        }

        // FFT and Winograd pass values through transforms that grow them (a tile's worth of sums,
        // a few hundredfold): finite inputs near float's limit overflow there, and one infinite
        // input smears NaN over a whole tile. Where either left a value that is not finite, the
        // exact algorithm computes the call again, so the result is the definition's (∞ where it is ∞).
        if (plan.Algorithm is ConvAlgorithm.Fft or ConvAlgorithm.Winograd4x3 && !VectorMath.AllFinite(output))
        {
            Forward(g, plan with { Algorithm = Exact(g, plan) }, input, weight, bias, output);
        }
    }

    /// <summary>The algorithm that computes again, exactly, what FFT or Winograd left not finite.</summary>
    private static ConvAlgorithm Exact(in ConvGeometry g, in ConvPlan plan) =>
        plan.Algorithm == ConvAlgorithm.Fft ? ConvAlgorithm.Direct
        : ConvPlanner.CanRun(ConvAlgorithm.ImplicitGemm, g, ConvDirection.Forward, plan.BudgetFloats, out _) ? ConvAlgorithm.ImplicitGemm
        : ConvAlgorithm.Reference;

    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> weight, Span<float> gradInput, ConvPlanOptions options) =>
        BackwardInput(g, ConvPlanner.Plan(g, ConvDirection.BackwardInput, CpuCaps.Current, options), gradOutput, weight, gradInput);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(in ConvGeometry g, in ConvPlan plan, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> weight, Span<float> gradInput)
    {
        if (gradInput.IsEmpty)
        {
            return;
        }

        if (gradOutput.IsEmpty)
        {
            gradInput.Clear();
            return;
        }

        switch (plan.Algorithm)
        {
            case ConvAlgorithm.Reference:
                ConvReference.BackwardInput(g, gradOutput, weight, gradInput);
                return;
            case ConvAlgorithm.Im2colGemm:
                // As in Forward: the buffers are exactly g's (output gradient N·OC·OH·OW, input gradient N·C·H·W).
                fixed (float* dy = gradOutput, w = weight, dx = gradInput)
                {
                    GemmConv.BackwardInput(g, plan, dy, w, dx);
                }

                return;
        }

        // Stride 1: the forward pass of the transposed problem (the planner checked it exists), within what the flipped weights leave of the budget.
        ConvPlanner.TryTransposed(g, out var transposed, out _);
        using var flipped = Workspace.Rent(weight.Length);
        FlipAndTranspose(g, weight, flipped.Span);
        Forward(transposed, plan with { BudgetFloats = plan.BudgetFloats - flipped.Capacity }, gradOutput, flipped.Span, default, gradInput);
    }

    public static void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> input, Span<float> gradWeight, ConvPlanOptions options) =>
        BackwardWeight(g, ConvPlanner.Plan(g, ConvDirection.BackwardWeight, CpuCaps.Current, options), gradOutput, input, gradWeight);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeight(in ConvGeometry g, in ConvPlan plan, ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> input, Span<float> gradWeight)
    {
        if (gradOutput.IsEmpty || input.IsEmpty)
        {
            gradWeight.Clear();
            return;
        }

        if (plan.Algorithm == ConvAlgorithm.Reference)
        {
            ConvReference.BackwardWeight(g, gradOutput, input, gradWeight);
            return;
        }

        // As in Forward: the buffers are exactly g's (the weight gradient OC·(C/groups)·KH·KW).
        fixed (float* dy = gradOutput, x = input, dw = gradWeight)
        {
            if (plan.Algorithm == ConvAlgorithm.Direct)
            {
                DirectConv.BackwardWeight(g, plan, dy, x, dw);
            }
            else
            {
                // Im2colGemm and ImplicitGemm share the path that gathers the transposed columns.
                GemmConv.BackwardWeight(g, plan, dy, x, dw);
            }
        }
    }

    /// <summary>
    /// The most workspace the call of <paramref name="plan"/> in <paramref name="direction"/> holds,
    /// in floats as the pool counts them: each algorithm's figure from the tiling it runs, and for
    /// the paths above that rent around an algorithm (flipped weights, a second exact pass) theirs too.
    /// </summary>
    public static long WorkspaceFloats(in ConvGeometry g, ConvDirection direction, in ConvPlan plan)
    {
        switch (direction)
        {
            case ConvDirection.Forward:
                return ForwardWorkspaceFloats(g, plan);
            case ConvDirection.BackwardInput when plan.Algorithm is ConvAlgorithm.Reference:
                return 0;
            case ConvDirection.BackwardInput when plan.Algorithm is ConvAlgorithm.Im2colGemm:
                return GemmConv.WorkspaceFloats(g, direction, plan);
            case ConvDirection.BackwardInput:
                ConvPlanner.TryTransposed(g, out var transposed, out _);
                var flipped = Workspace.Footprint((long)g.OC * g.GroupChannels * g.KH * g.KW);
                return flipped + ForwardWorkspaceFloats(transposed, plan with { BudgetFloats = plan.BudgetFloats - flipped });
            default:
                return plan.Algorithm switch
                {
                    ConvAlgorithm.Reference => 0,
                    ConvAlgorithm.Direct => DirectConv.BackwardWeightWorkspaceFloats(g, plan),
                    _ => GemmConv.WorkspaceFloats(g, direction, plan),
                };
        }
    }

    /// <summary>FFT and Winograd may compute the call again exactly, after their own buffers are back: the larger of the two figures.</summary>
    private static long ForwardWorkspaceFloats(in ConvGeometry g, in ConvPlan plan) => plan.Algorithm switch
    {
        ConvAlgorithm.Reference => 0,
        ConvAlgorithm.Direct => DirectConv.ForwardWorkspaceFloats(g, plan),
        ConvAlgorithm.Winograd4x3 => Math.Max(Winograd4x3.WorkspaceFloats(g, plan), ForwardWorkspaceFloats(g, plan with { Algorithm = Exact(g, plan) })),
        ConvAlgorithm.Fft => Math.Max(FftConv.WorkspaceFloats(g, plan), ForwardWorkspaceFloats(g, plan with { Algorithm = Exact(g, plan) })),
        _ => GemmConv.WorkspaceFloats(g, ConvDirection.Forward, plan),
    };

    /// <summary>
    /// The bias gradient of a convolution or a transposed one: dB[c] = Σ over images and pixels of
    /// dY[n, c, ·], images and planes added in order. <paramref name="gradOutput"/> is
    /// (images, channels, plane) contiguous.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardBias(int images, int channels, int plane, ReadOnlySpan<float> gradOutput, Span<float> gradBias)
    {
        for (var c = 0; c < channels; c++)
        {
            var sum = 0f;
            for (var n = 0; n < images; n++)
            {
                sum += Sum(gradOutput.Slice((int)((((long)n * channels) + c) * plane), plane));
            }

            gradBias[c] = sum;
        }
    }

    /// <summary>W′[c, o, kh, kw] = W[o, c, KH − 1 − kh, KW − 1 − kw] within each group: the weight of the transposed problem.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FlipAndTranspose(in ConvGeometry g, ReadOnlySpan<float> weight, Span<float> flipped)
    {
        var (m, c, taps) = (g.GroupOutChannels, g.GroupChannels, g.KH * g.KW);
        for (var group = 0; group < g.Groups; group++)
        {
            for (var o = 0; o < m; o++)
            {
                for (var ci = 0; ci < c; ci++)
                {
                    var source = weight.Slice(((((group * m) + o) * c) + ci) * taps, taps);
                    var destination = flipped.Slice(((((group * c) + ci) * m) + o) * taps, taps);
                    for (var t = 0; t < taps; t++)
                    {
                        destination[t] = source[taps - 1 - t];
                    }
                }
            }
        }
    }

    private static float Sum(ReadOnlySpan<float> values)
    {
        var i = 0;
        var total = Vector<float>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<float>.Count <= values.Length; i += Vector<float>.Count)
            {
                total += new Vector<float>(values[i..]);
            }
        }

        var sum = Vector.Sum(total);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }
}
