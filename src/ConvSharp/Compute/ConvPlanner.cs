
namespace ConvSharp.Compute;

/// <summary>
/// Chooses the algorithm for one convolution, per direction. A pure function of the shape, the
/// CPU and the options, so a table of shapes can test it. The rules come in order, each with its
/// reason, ending in the general case; the thresholds were set from bench/ on the machine named
/// in the README (PyTorch's <c>_select_conv_backend</c> and MLAS's <c>MlasConvPrepare</c> have
/// the same shape).
/// </summary>
internal static class ConvPlanner
{
    public static ConvPlan Plan(in ConvGeometry g, ConvDirection direction, CpuCaps caps, ConvPlanOptions options)
    {
        var forced = direction switch
        {
            ConvDirection.Forward => options.Algorithm,
            ConvDirection.BackwardInput => options.BackwardInputAlgorithm,
            _ => options.BackwardWeightAlgorithm,
        };
        if (forced != ConvAlgorithm.Auto)
        {
            if (!CanRun(forced, g, direction, out var reason))
            {
                throw new ArgumentException(
                    $"{forced} was forced but cannot compute the {Describe(direction)} of a convolution of input [{g.N}, {g.C}, {g.H}, {g.W}] " +
                    $"with weight [{g.OC}, {g.GroupChannels}, {g.KH}, {g.KW}], stride ({g.StrideH}, {g.StrideW}), dilation ({g.DilationH}, {g.DilationW}), " +
                    $"padding (top {g.PadTop}, bottom {g.PadBottom}, left {g.PadLeft}, right {g.PadRight}), groups {g.Groups}: {reason}.");
            }

            return WithWorkspace(g, direction, new ConvPlan(forced, caps.Kernel, options.Threads));
        }

        return WithWorkspace(g, direction, new ConvPlan(ChooseFeasible(g, direction), caps.Kernel, options.Threads));
    }

    /// <summary>The plan with the workspace its algorithm's tiling takes (MLAS's plans carry theirs too).</summary>
    private static ConvPlan WithWorkspace(in ConvGeometry g, ConvDirection direction, ConvPlan plan) =>
        plan with { WorkspaceFloats = ConvEngine.WorkspaceFloats(g, direction, plan) };

    /// <summary>
    /// The rules' choice, or, for a shape whose smallest tiles would not fit that algorithm's
    /// workspace (absurd dilations or layers), the first fallback that can run it: the GEMMs, the
    /// direct loops, and last the definition's own loops, which need no workspace at all.
    /// </summary>
    private static ConvAlgorithm ChooseFeasible(in ConvGeometry g, ConvDirection direction)
    {
        var choice = Choose(g, direction);
        if (CanRun(choice, g, direction, out _))
        {
            return choice;
        }

        foreach (var fallback in (ReadOnlySpan<ConvAlgorithm>)[ConvAlgorithm.ImplicitGemm, ConvAlgorithm.Im2colGemm, ConvAlgorithm.Direct])
        {
            if (CanRun(fallback, g, direction, out _))
            {
                return fallback;
            }
        }

        return ConvAlgorithm.Reference;
    }

    /// <summary>Whether <paramref name="algorithm"/> implements this direction for this shape within the workspace bound, and if not, why.</summary>
    public static bool CanRun(ConvAlgorithm algorithm, in ConvGeometry g, ConvDirection direction, out string reason) =>
        CanRun(algorithm, g, direction, Parallel.Workspace.MaxFloats, out reason);

    /// <summary>Whether <paramref name="algorithm"/> implements this direction for this shape within <paramref name="budget"/> floats of workspace.</summary>
    public static bool CanRun(ConvAlgorithm algorithm, in ConvGeometry g, ConvDirection direction, long budget, out string reason)
    {
        reason = string.Empty;
        if (algorithm is ConvAlgorithm.Reference or ConvAlgorithm.Auto)
        {
            return true;
        }

        if (direction == ConvDirection.BackwardInput)
        {
            // The col2im GEMM handles every shape; the others compute the input gradient as the
            // forward pass of the transposed problem, which exists for stride 1 only.
            if (algorithm == ConvAlgorithm.Im2colGemm)
            {
                return GemmConv.Fits(algorithm, g, direction, budget, out reason);
            }

            if (!TryTransposed(g, out var transposed, out reason))
            {
                return false;
            }

            // The flipped weights are held around the transposed forward pass, which gets the rest of the budget.
            var flipped = Parallel.Workspace.Footprint((long)g.OC * g.GroupChannels * g.KH * g.KW);
            return CanRun(algorithm, transposed, ConvDirection.Forward, budget - flipped, out reason);
        }

        if (direction == ConvDirection.BackwardWeight && algorithm is ConvAlgorithm.Winograd4x3 or ConvAlgorithm.Fft)
        {
            reason = $"{algorithm} computes outputs and input gradients, not weight gradients";
            return false;
        }

        switch (algorithm)
        {
            case ConvAlgorithm.Direct when g.GroupChannels != 1:
                reason = "Direct needs every output channel to read one input channel (single-channel or depthwise), but C/groups is " + g.GroupChannels;
                return false;
            case ConvAlgorithm.Direct when direction == ConvDirection.BackwardWeight && !Direct.DirectConv.BackwardWeightFits(g, budget, out reason):
                return false;
            case ConvAlgorithm.Im2colGemm or ConvAlgorithm.ImplicitGemm or ConvAlgorithm.GemmDirect1x1 when !GemmConv.Fits(algorithm, g, direction, budget, out reason):
                return false;
            case ConvAlgorithm.GemmDirect1x1 when !Is1x1(g):
                reason = "GemmDirect1x1 needs a 1×1 kernel with stride 1 and no padding";
                return false;
            case ConvAlgorithm.Winograd4x3 when g.KH != 3 || g.KW != 3 || g.StrideH != 1 || g.StrideW != 1:
                reason = "Winograd4x3 needs a 3×3 kernel with stride 1";
                return false;
            case ConvAlgorithm.Winograd4x3 when (g.DilationH > 1 || g.DilationW > 1) && !Winograd.DilatedPhases.TryPhases(g, out _):
                reason = "Winograd4x3 takes a dilated kernel only when the image, the output and the paddings divide by the dilation (it splits the image into phases)";
                return false;
            case ConvAlgorithm.Fft when g.GroupChannels != 1 || g.StrideH != 1 || g.StrideW != 1 || g.DilationH != 1 || g.DilationW != 1:
                reason = "Fft needs single-channel (or depthwise) filters with stride 1 and dilation 1";
                return false;
            case ConvAlgorithm.Winograd4x3 when !Winograd.Winograd4x3.Fits(Winograd.DilatedPhases.TryPhases(g, out var phases) ? phases : g, budget, out reason):
                return false;
            case ConvAlgorithm.Fft when Math.Max(g.KH, g.KW) > Fft.FftConv.MaxKernel:
                reason = $"Fft takes kernels up to {Fft.FftConv.MaxKernel}×{Fft.FftConv.MaxKernel}";
                return false;
            case ConvAlgorithm.Fft when !Fft.FftTiling.For(g, 1, budget).Fits:
                reason = "Fft's kernel spectra and one tile would not fit the workspace";
                return false;
            default:
                return true;
        }
    }

    /// <summary>
    /// The input gradient of a stride-1 convolution is a convolution of the output gradient with
    /// the flipped, channel-transposed weight, padded by dilation·(k − 1) − padding per side.
    /// </summary>
    public static bool TryTransposed(in ConvGeometry g, out ConvGeometry transposed, out string reason)
    {
        var (top, bottom) = ((g.DilationH * (g.KH - 1)) - g.PadTop, (g.DilationH * (g.KH - 1)) - g.PadBottom);
        var (left, right) = ((g.DilationW * (g.KW - 1)) - g.PadLeft, (g.DilationW * (g.KW - 1)) - g.PadRight);
        transposed = new ConvGeometry(
            g.N, g.OC, g.OH, g.OW, g.C, g.KH, g.KW, 1, 1, g.DilationH, g.DilationW, top, bottom, left, right, g.Groups)
        { OH = g.H, OW = g.W };
        if (g.StrideH != 1 || g.StrideW != 1)
        {
            reason = "the input gradient of a strided convolution is not a convolution; only Im2colGemm (col2im) and Reference compute it";
            return false;
        }

        if (top < 0 || bottom < 0 || left < 0 || right < 0)
        {
            reason = "the padding is larger than dilation·(kernel − 1), so the input gradient would need negative padding; use Im2colGemm";
            return false;
        }

        if ((long)g.OC * g.GroupChannels * g.KH * g.KW > Parallel.Workspace.WeightBudgetFloats)
        {
            reason = "the weights are too large to flip into the workspace; use Im2colGemm";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private static ConvAlgorithm Choose(in ConvGeometry g, ConvDirection direction)
    {
        switch (direction)
        {
            case ConvDirection.BackwardInput:
                // Stride 1: the transposed problem is a forward convolution, and gets the forward rules
                // (Winograd included) — unless it has so few output channels (the layer's inputs) that
                // a GEMM would waste most of its register tile (LeNet's first layer, bench probe lenet-c1:
                // about 3× faster), or its implicit GEMM would gather more than col2im scatters. The
                // transposed GEMM gathers OC·KH·KW values per input pixel, col2im scatters C·KH·KW per
                // output pixel; the gather costs more than the sums when the layer narrows its channels
                // (LeNet's second layer, 6 → 16 on 14×14: `probe lenet-c2`, 22 ms implicit vs 5 ms col2im).
                if (TryTransposed(g, out var transposed, out _))
                {
                    var forward = Choose(transposed, ConvDirection.Forward);
                    var gathers = forward is ConvAlgorithm.ImplicitGemm or ConvAlgorithm.Im2colGemm;
                    var gatherFloats = (long)g.OC * g.H * g.W;
                    var scatterFloats = (long)g.C * g.OH * g.OW;
                    if (transposed.GroupChannels == 1 || (transposed.GroupOutChannels >= 4 && (!gathers || gatherFloats <= 2 * scatterFloats)))
                    {
                        return forward;
                    }
                }

                return ConvAlgorithm.Im2colGemm;
            case ConvDirection.BackwardWeight:
                // With one input channel per group the direct sums need no gather, and take four output channels
                // per pass (LeNet's first layer, 6 channels: bench probe lenet-c1, 1.5 ms against the GEMM's 3.3 ms).
                return g.GroupChannels == 1 && g.GroupOutChannels <= 8 && CanRun(ConvAlgorithm.Direct, g, direction, out _) ? ConvAlgorithm.Direct
                    : Is1x1(g) ? ConvAlgorithm.GemmDirect1x1
                    : ConvAlgorithm.ImplicitGemm;
        }

        // Each output channel reads one input channel: no reduction over channels for a GEMM to
        // exploit; sliding SIMD loops win, and FFT only for large kernels on large images.
        if (g.GroupChannels == 1)
        {
            return UseFft(g) ? ConvAlgorithm.Fft : ConvAlgorithm.Direct;
        }

        // 1×1, stride 1, no padding: the image already is the column matrix (PyTorch and MLAS skip im2col too).
        if (Is1x1(g))
        {
            return ConvAlgorithm.GemmDirect1x1;
        }

        // 3×3, stride 1: Winograd F(4×4, 3×3) does 4 multiplies per output where the GEMM does 9,
        // once there are enough channels for its transforms to be paid back.
        if (CanRun(ConvAlgorithm.Winograd4x3, g, ConvDirection.Forward, out _) && g.GroupChannels >= 16 && g.GroupOutChannels >= 16)
        {
            return ConvAlgorithm.Winograd4x3;
        }

        // The general case: the GEMM gathering its panels from the image, no column matrix.
        return ConvAlgorithm.ImplicitGemm;
    }

    /// <summary>
    /// FFT costs about the same per output whatever the kernel, the direct loops grow with the taps:
    /// they cross near 13×13 (bench probe img-15x15), on images large enough for whole 128×128 tiles.
    /// </summary>
    private static bool UseFft(in ConvGeometry g) =>
        CanRun(ConvAlgorithm.Fft, g, ConvDirection.Forward, out _) && (long)g.KH * g.KW >= 13 * 13 && (long)g.OH * g.OW >= 256 * 256;

    private static bool Is1x1(in ConvGeometry g) =>
        g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && !g.HasPadding;

    private static string Describe(ConvDirection direction) => direction switch
    {
        ConvDirection.Forward => "forward pass",
        ConvDirection.BackwardInput => "input gradient",
        _ => "weight gradient",
    };
}
