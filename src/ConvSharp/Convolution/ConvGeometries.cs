using ConvSharp.Compute;

namespace ConvSharp.Convolution;

/// <summary>
/// Builds <see cref="ConvGeometry"/> from a user's arguments: the checks in PyTorch's order and
/// words (<see cref="ArgumentException"/>), every size derived in 64-bit arithmetic
/// (<see cref="WindowAxis"/>).
/// </summary>
internal static class ConvGeometries
{
    /// <summary>Validates a convolution of a 4-D input with a 4-D weight and builds its geometry.</summary>
    public static ConvGeometry Conv2d(
        int[] input, int[] weight, int[]? bias, Size2 stride, Padding padding, Size2 dilation, int groups)
    {
        CheckHyperParameters(stride, padding, dilation, groups);
        CheckWeight(input, weight, groups);
        var (oc, kh, kw) = (weight[0], weight[2], weight[3]);
        if (input[1] != (long)weight[1] * groups)
        {
            throw new ArgumentException(
                $"Given groups={groups}, weight of size {Shapes.Format(weight)}, expected input{Shapes.Format(input)} to have {(long)weight[1] * groups} channels, but got {input[1]} channels instead");
        }

        CheckBias(bias, oc, weight, transposed: false);
        var pads = padding.Resolve(input[2], input[3], (kh, kw), stride, dilation);
        var rows = WindowAxis.Of(input[2], pads.Top, pads.Bottom, kh, dilation.H, stride.H);
        var columns = WindowAxis.Of(input[3], pads.Left, pads.Right, kw, dilation.W, stride.W);
        if (!rows.KernelFits || !columns.KernelFits)
        {
            throw new ArgumentException(
                $"Calculated padded input size per channel: ({rows.Padded} x {columns.Padded}). Kernel size: ({rows.DilatedKernel} x {columns.DilatedKernel}). " +
                "Kernel size can't be greater than actual input size");
        }

        WindowAxis.CheckPadded("conv2d", pads, rows, columns);
        WindowAxis.CheckOutput("conv2d", [input[0], oc, rows.Positions, columns.Positions]);
        return new ConvGeometry(
            input[0], input[1], input[2], input[3], oc, kh, kw,
            stride.H, stride.W, dilation.H, dilation.W, (int)pads.Top, (int)pads.Bottom, (int)pads.Left, (int)pads.Right, groups)
        { OH = (int)rows.Positions, OW = (int)columns.Positions };
    }

    /// <summary>
    /// Validates a transposed convolution of (N, C_in, H, W) with weight (C_in, OC/groups, KH, KW)
    /// and returns the geometry of the convolution it is the adjoint of: that convolution maps
    /// the transposed output (N, OC, OH_t, OW_t) back to (N, C_in, H, W), with
    /// OH_t = (H − 1)·stride − 2·padding + dilation·(KH − 1) + outputPadding + 1.
    /// </summary>
    public static ConvGeometry ConvTranspose2d(
        int[] input, int[] weight, int[]? bias, Size2 stride, Size2 padding, Size2 outputPadding, Size2 dilation, int groups)
    {
        CheckHyperParameters(stride, (padding.H, padding.W), dilation, groups);
        if (outputPadding.H < 0 || outputPadding.W < 0)
        {
            throw new ArgumentException($"negative output_padding is not supported (output_padding {outputPadding})");
        }

        if ((outputPadding.H >= stride.H && outputPadding.H >= dilation.H) || (outputPadding.W >= stride.W && outputPadding.W >= dilation.W))
        {
            throw new ArgumentException(
                $"output padding must be smaller than either stride or dilation, but got output_padding_height: {outputPadding.H} output_padding_width: {outputPadding.W} " +
                $"stride_height: {stride.H} stride_width: {stride.W} dilation_height: {dilation.H} dilation_width: {dilation.W}");
        }

        CheckWeight(input, weight, groups);
        var (inChannels, outChannels, kh, kw) = (weight[0], weight[1] * groups, weight[2], weight[3]);
        if (input[1] != inChannels)
        {
            throw new ArgumentException(
                $"Given transposed=1, weight of size {Shapes.Format(weight)}, expected input{Shapes.Format(input)} to have {inChannels} channels, but got {input[1]} channels instead");
        }

        CheckBias(bias, outChannels, weight, transposed: true);

        // The transposed output before its padding is cropped: (H − 1)·stride + dilation·(KH − 1) + 1 + outputPadding.
        // It is the padded input of the adjoint convolution, so it must fit 32-bit coordinates.
        var spanH = ((input[2] - 1L) * stride.H) + WindowAxis.Dilated(kh, dilation.H) + outputPadding.H;
        var spanW = ((input[3] - 1L) * stride.W) + WindowAxis.Dilated(kw, dilation.W) + outputPadding.W;
        var (oh, ow) = (spanH - (2L * padding.H), spanW - (2L * padding.W));
        if (oh <= 0 || ow <= 0)
        {
            throw new ArgumentException(
                $"Given input size per channel: ({input[2]} x {input[3]}). Calculated output size per channel: ({oh} x {ow}). Output size is too small");
        }

        if (spanH > WindowAxis.MaxExtent || spanW > WindowAxis.MaxExtent)
        {
            throw new ArgumentException(
                $"conv_transpose2d: an input of ({input[2]} x {input[3]}) with stride {stride}, kernel ({kh} x {kw}), dilation {dilation} and output_padding {outputPadding} " +
                $"spans ({spanH} x {spanW}) before the padding is cropped; ConvSharp addresses rows and columns with 32-bit integers, so each must be at most {WindowAxis.MaxExtent}. " +
                "Reduce the stride or the dilation");
        }

        WindowAxis.CheckOutput("conv_transpose2d", [input[0], outChannels, oh, ow]);
        return new ConvGeometry(
            input[0], outChannels, (int)oh, (int)ow, inChannels, kh, kw,
            stride.H, stride.W, dilation.H, dilation.W, padding.H, padding.H, padding.W, padding.W, groups)
        { OH = input[2], OW = input[3] };
    }

    /// <summary>The geometry of sliding a KH×KW window over (N, C, H, W), for im2col and col2im.</summary>
    public static ConvGeometry ForWindows(int[] input, Size2 kernel, Size2 dilation, Padding padding, Size2 stride)
    {
        CheckHyperParameters(stride, padding, dilation, groups: 1);
        if (kernel.H <= 0 || kernel.W <= 0)
        {
            throw new ArgumentException($"kernel size should be greater than zero, but got kernel_size={kernel}");
        }

        var pads = padding.Resolve(input[2], input[3], kernel, stride, dilation);
        var rows = WindowAxis.Of(input[2], pads.Top, pads.Bottom, kernel.H, dilation.H, stride.H);
        var columns = WindowAxis.Of(input[3], pads.Left, pads.Right, kernel.W, dilation.W, stride.W);
        if (!rows.KernelFits || !columns.KernelFits)
        {
            throw new ArgumentException(
                $"Given input with spatial size ({input[2]}, {input[3]}), kernel_size={kernel}, dilation={dilation}, padding=({pads.Top}, {pads.Left}), " +
                $"calculated shape of the array of sliding blocks as ({rows.Positions}, {columns.Positions}), but its components must be at least one.");
        }

        WindowAxis.CheckPadded("unfold", pads, rows, columns);
        var taps = (long)input[1] * kernel.H * kernel.W;
        WindowAxis.CheckOutput("unfold", [input[0], taps, rows.Positions * columns.Positions]);
        return new ConvGeometry(
            input[0], input[1], input[2], input[3], (int)taps, kernel.H, kernel.W,
            stride.H, stride.W, dilation.H, dilation.W, (int)pads.Top, (int)pads.Bottom, (int)pads.Left, (int)pads.Right, 1)
        { OH = (int)rows.Positions, OW = (int)columns.Positions };
    }

    private static void CheckWeight(int[] input, int[] weight, int groups)
    {
        if (weight.Length != 4)
        {
            throw new ArgumentException(
                $"Expected 4-dimensional weight for 4-dimensional input {Shapes.Format(input)}, but got {weight.Length}-dimensional weight of size {Shapes.Format(weight)} instead");
        }

        if (weight[1] <= 0 || weight[2] <= 0 || weight[3] <= 0)
        {
            throw new ArgumentException(
                $"weight of size {Shapes.Format(weight)} is empty: kernel height, width and channels must be at least 1");
        }

        if (weight[0] % groups != 0)
        {
            throw new ArgumentException(
                $"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {Shapes.Format(weight)} instead");
        }

        if ((long)weight[1] * groups > int.MaxValue)
        {
            throw new ArgumentException(
                $"Given groups={groups}, weight of size {Shapes.Format(weight)} asks for {(long)weight[1] * groups} channels, more than a tensor dimension holds ({int.MaxValue})");
        }
    }

    private static void CheckBias(int[]? bias, int outChannels, int[] weight, bool transposed)
    {
        if (bias is not null && (bias.Length != 1 || bias[0] != outChannels))
        {
            throw new ArgumentException(
                $"Given {(transposed ? "transposed=1, " : "")}weight of size {Shapes.Format(weight)}, expected bias to be 1-dimensional with {outChannels} elements, but got bias of size {Shapes.Format(bias)} instead");
        }
    }

    private static void CheckHyperParameters(Size2 stride, Padding padding, Size2 dilation, int groups)
    {
        if (padding.Top < 0 || padding.Bottom < 0 || padding.Left < 0 || padding.Right < 0)
        {
            throw new ArgumentException($"negative padding is not supported (padding {padding})");
        }

        if (stride.H <= 0 || stride.W <= 0)
        {
            throw new ArgumentException($"non-positive stride is not supported (stride {stride})");
        }

        if (dilation.H <= 0 || dilation.W <= 0)
        {
            throw new ArgumentException(
                $"dilation should be greater than zero, but got dilation_height: {dilation.H}, dilation_width: {dilation.W}");
        }

        if (groups <= 0)
        {
            throw new ArgumentException($"non-positive groups is not supported (groups={groups})");
        }
    }
}
