namespace ConvSharp.Convolution;

/// <summary>
/// The validated sizes of one 2D convolution: input (N, C, H, W), weight (OC, C/groups, KH, KW),
/// output (N, OC, OH, OW), and stride, dilation, per-side zero padding and groups. Every
/// algorithm takes this one struct instead of a dozen integers.
/// </summary>
/// <remarks>
/// OH = ⌊(H + PadTop + PadBottom − DilationH·(KH − 1) − 1) / StrideH⌋ + 1, and likewise OW.
/// <see cref="Create"/> checks the arguments in the order PyTorch does and throws
/// <see cref="ArgumentException"/> with PyTorch's wording.
/// </remarks>
internal readonly record struct ConvGeometry(
    int N, int C, int H, int W,
    int OC, int KH, int KW,
    int StrideH, int StrideW,
    int DilationH, int DilationW,
    int PadTop, int PadBottom, int PadLeft, int PadRight,
    int Groups)
{
    public int OH => ((H + PadTop + PadBottom - (DilationH * (KH - 1)) - 1) / StrideH) + 1;

    public int OW => ((W + PadLeft + PadRight - (DilationW * (KW - 1)) - 1) / StrideW) + 1;

    /// <summary>Input channels per group (the weight's second dimension).</summary>
    public int GroupChannels => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OC / Groups;

    public int[] OutputShape => [N, OC, OH, OW];

    public int[] InputShape => [N, C, H, W];

    public int[] WeightShape => [OC, GroupChannels, KH, KW];

    /// <summary>Multiply-adds × 2 of the forward pass: 2·N·OC·OH·OW·(C/groups)·KH·KW.</summary>
    public long Flops => 2L * N * OC * OH * OW * GroupChannels * KH * KW;

    /// <summary>Validates a convolution of a 4-D input with a 4-D weight and builds its geometry.</summary>
    public static ConvGeometry Create(
        int[] input, int[] weight, int[]? bias, Size2 stride, Padding padding, Size2 dilation, int groups)
    {
        CheckHyperParameters(stride, padding, dilation, groups);
        if (weight.Length != 4)
        {
            throw new ArgumentException(
                $"Expected 4-dimensional weight for 4-dimensional input {Shapes.Format(input)}, but got {weight.Length}-dimensional weight of size {Shapes.Format(weight)} instead");
        }

        var (oc, kh, kw) = (weight[0], weight[2], weight[3]);
        if (kh <= 0 || kw <= 0 || weight[1] <= 0)
        {
            throw new ArgumentException(
                $"weight of size {Shapes.Format(weight)} is empty: kernel height, width and channels must be at least 1");
        }

        if (oc % groups != 0)
        {
            throw new ArgumentException(
                $"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {Shapes.Format(weight)} instead");
        }

        if (input[1] != weight[1] * groups)
        {
            throw new ArgumentException(
                $"Given groups={groups}, weight of size {Shapes.Format(weight)}, expected input{Shapes.Format(input)} to have {weight[1] * groups} channels, but got {input[1]} channels instead");
        }

        if (bias is not null && (bias.Length != 1 || bias[0] != oc))
        {
            throw new ArgumentException(
                $"Given weight of size {Shapes.Format(weight)}, expected bias to be 1-dimensional with {oc} elements, but got bias of size {Shapes.Format(bias)} instead");
        }

        var (top, bottom, left, right) = padding.Resolve(input[2], input[3], (kh, kw), stride, dilation);
        var geometry = new ConvGeometry(
            input[0], input[1], input[2], input[3], oc, kh, kw,
            stride.H, stride.W, dilation.H, dilation.W, top, bottom, left, right, groups);
        geometry.CheckKernelFits();
        return geometry;
    }

    /// <summary>The geometry of sliding a KH×KW window over (N, C, H, W), for im2col and col2im.</summary>
    public static ConvGeometry ForWindows(int[] input, Size2 kernel, Size2 dilation, Padding padding, Size2 stride)
    {
        CheckHyperParameters(stride, padding, dilation, groups: 1);
        if (kernel.H <= 0 || kernel.W <= 0)
        {
            throw new ArgumentException($"kernel size should be greater than zero, but got kernel_size={kernel}");
        }

        var (top, bottom, left, right) = padding.Resolve(input[2], input[3], kernel, stride, dilation);
        var geometry = new ConvGeometry(
            input[0], input[1], input[2], input[3], input[1] * kernel.H * kernel.W, kernel.H, kernel.W,
            stride.H, stride.W, dilation.H, dilation.W, top, bottom, left, right, 1);
        if (geometry.H + top + bottom < geometry.DilatedKH || geometry.W + left + right < geometry.DilatedKW)
        {
            throw new ArgumentException(
                $"Given input with spatial size ({geometry.H}, {geometry.W}), kernel_size={kernel}, dilation={dilation}, padding=({top}, {left}), " +
                $"calculated shape of the array of sliding blocks as ({geometry.OH}, {geometry.OW}), but its components must be at least one.");
        }

        return geometry;
    }

    public int DilatedKH => (DilationH * (KH - 1)) + 1;

    public int DilatedKW => (DilationW * (KW - 1)) + 1;

    private void CheckKernelFits()
    {
        var paddedH = H + PadTop + PadBottom;
        var paddedW = W + PadLeft + PadRight;
        if (paddedH < DilatedKH || paddedW < DilatedKW)
        {
            throw new ArgumentException(
                $"Calculated padded input size per channel: ({paddedH} x {paddedW}). Kernel size: ({DilatedKH} x {DilatedKW}). " +
                "Kernel size can't be greater than actual input size");
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
            throw new ArgumentException($"dilation should be greater than zero (dilation {dilation})");
        }

        if (groups <= 0)
        {
            throw new ArgumentException($"non-positive groups is not supported (groups={groups})");
        }
    }
}
