using ConvSharp.Convolution;

namespace ConvSharp;

/// <summary>How a loss reduces its per-element values: PyTorch's <c>reduction=</c>.</summary>
public enum Reduction
{
    /// <summary>The mean over all elements (PyTorch's default).</summary>
    Mean,

    /// <summary>The sum over all elements.</summary>
    Sum,

    /// <summary>No reduction: one loss per element.</summary>
    None,
}

/// <summary>
/// Stateless operations, as <c>torch.nn.functional</c>; import as
/// <c>using F = ConvSharp.Functional;</c>. All record autograd.
/// </summary>
public static partial class Functional
{
    /// <summary>
    /// The chapter's 2D cross-correlation of a 2-D input X (H, W) with a 2-D kernel K (h, w):
    /// Y[i, j] = Σ X[i + a, j + b]·K[a, b], of shape (H − h + 1, W − w + 1).
    /// </summary>
    public static Tensor Corr2d(Tensor X, Tensor K) => Convolution.Corr2d.Forward(X, K);

    /// <summary>
    /// PyTorch's <c>F.conv2d</c> (a cross-correlation, like every deep-learning "convolution"),
    /// with PyTorch's <c>padding_mode</c> folded in as <paramref name="paddingMode"/>.
    /// </summary>
    /// <param name="input">(N, C, H, W), or (C, H, W) for one image</param>
    /// <param name="weight">(OC, C/groups, KH, KW)</param>
    /// <param name="bias">(OC), or null</param>
    /// <param name="stride">step between windows; default 1</param>
    /// <param name="padding">border added before sliding: int, (h, w), Padding.Same, Padding.Valid or Padding.Explicit</param>
    /// <param name="dilation">spacing between kernel taps; default 1</param>
    /// <param name="groups">input and output channels are split into this many independent groups</param>
    /// <param name="paddingMode">what the border holds</param>
    /// <returns>(N, OC, OH, OW), or (OC, OH, OW) for one image</returns>
    public static Tensor Conv2d(
        Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Padding padding = default,
        Size2? dilation = null, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank is not (3 or 4))
        {
            throw new ArgumentException(
                $"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: {Shapes.Format(input.Dims)}", nameof(input));
        }

        if (input.Rank == 3)
        {
            return Conv2d(input.Unsqueeze(0), weight, bias, stride, padding, dilation, groups, paddingMode).Squeeze(0);
        }

        var g = ConvGeometries.Conv2d(input.Dims, weight.Dims, bias?.Dims, stride ?? 1, padding, dilation ?? 1, groups);
        if (paddingMode != PaddingMode.Zeros && g.HasPadding)
        {
            input = Convolution.Pad.Forward(input, g.PadLeft, g.PadRight, g.PadTop, g.PadBottom, paddingMode, 0f);
            g = g with { H = input.Dims[2], W = input.Dims[3], PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0 };
        }

        return Conv2dFunction.Forward(input, weight, bias, g);
    }

    /// <summary>
    /// The true 2D convolution of the chapter's last section: cross-correlation with the kernel
    /// flipped vertically and horizontally. Same arguments as <see cref="Conv2d"/>.
    /// </summary>
    public static Tensor Convolve2d(
        Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Padding padding = default,
        Size2? dilation = null, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 4)
        {
            throw new ArgumentException(
                $"Expected 4-dimensional weight (OC, C/groups, KH, KW) for convolve2d, but got weight of size {Shapes.Format(weight.Dims)}", nameof(weight));
        }

        return Conv2d(input, weight.Flip(2, 3), bias, stride, padding, dilation, groups, paddingMode);
    }

    /// <summary>
    /// The transposed convolution, as <c>F.conv_transpose2d</c>: the adjoint (gradient with
    /// respect to the input) of the convolution with the same weight, stride, padding and
    /// dilation — it spreads each input value over a KH×KW patch of the output, so it upsamples
    /// when the stride is above 1.
    /// </summary>
    /// <param name="input">(N, C, H, W), or (C, H, W) for one image</param>
    /// <param name="weight">(C, OC/groups, KH, KW)</param>
    /// <param name="bias">(OC), or null</param>
    /// <param name="stride">spacing of the patches in the output; default 1</param>
    /// <param name="padding">rows and columns removed from each border of the full output: dilation·(k − 1) − padding are added</param>
    /// <param name="outputPadding">extra rows/columns at the bottom/right, to pick among the sizes a strided convolution maps to the same size; smaller than stride or dilation</param>
    /// <param name="groups">channel groups</param>
    /// <param name="dilation">spacing between kernel taps; default 1</param>
    /// <returns>(N, OC, OH, OW) with OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + outputPadding + 1</returns>
    public static Tensor ConvTranspose2d(
        Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null,
        Size2? outputPadding = null, int groups = 1, Size2? dilation = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank is not (3 or 4))
        {
            throw new ArgumentException(
                $"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: {Shapes.Format(input.Dims)}", nameof(input));
        }

        if (input.Rank == 3)
        {
            return ConvTranspose2d(input.Unsqueeze(0), weight, bias, stride, padding, outputPadding, groups, dilation).Squeeze(0);
        }

        var g = ConvGeometries.ConvTranspose2d(
            input.Dims, weight.Dims, bias?.Dims, stride ?? 1, padding ?? 0, outputPadding ?? 0, dilation ?? 1, groups);
        return ConvTranspose2dFunction.Forward(input, weight, bias, g);
    }

    /// <summary>
    /// im2col, as <c>F.unfold</c>: every KH×KW window of (N, C, H, W) becomes a column of
    /// (N, C·KH·KW, L), where L is the number of window positions.
    /// </summary>
    public static Tensor Unfold(Tensor input, Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (3 or 4))
        {
            throw new ArgumentException(
                $"Input Error: Only 3D or 4D input Tensors are supported (got {input.Rank}D, shape {Shapes.Format(input.Dims)})", nameof(input));
        }

        if (input.Rank == 3)
        {
            return Unfold(input.Unsqueeze(0), kernelSize, dilation, padding, stride).Squeeze(0);
        }

        var p = padding ?? 0;
        var g = ConvGeometries.ForWindows(input.Dims, kernelSize, dilation ?? 1, (p.H, p.W), stride ?? 1);
        return Im2col.Unfold(input, g);
    }

    /// <summary>
    /// col2im, as <c>F.fold</c>: columns (N, C·KH·KW, L) summed back into an image
    /// (N, C, outputSize.H, outputSize.W); overlapping windows add up.
    /// </summary>
    public static Tensor Fold(
        Tensor input, Size2 outputSize, Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (2 or 3))
        {
            throw new ArgumentException(
                $"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got {input.Rank}D, shape {Shapes.Format(input.Dims)})",
                nameof(input));
        }

        if (input.Rank == 2)
        {
            return Fold(input.Unsqueeze(0), outputSize, kernelSize, dilation, padding, stride).Squeeze(0);
        }

        var taps = (long)kernelSize.H * kernelSize.W;
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || input.Dims[1] % taps != 0)
        {
            throw new ArgumentException(
                $"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={input.Dims[1]} and kernel_size={kernelSize}",
                nameof(input));
        }

        var p = padding ?? 0;
        var d = dilation ?? 1;
        var s = stride ?? 1;
        if (outputSize.H < 0 || outputSize.W < 0)
        {
            throw new ArgumentException($"fold: output_size must not be negative, but got output_size={outputSize}", nameof(outputSize));
        }

        WindowAxis.CheckOutput("fold", [input.Dims[0], input.Dims[1] / taps, outputSize.H, outputSize.W]);
        var g = ConvGeometries.ForWindows([input.Dims[0], (int)(input.Dims[1] / taps), outputSize.H, outputSize.W], kernelSize, d, (p.H, p.W), s);
        if (input.Dims[2] != (long)g.OH * g.OW)
        {
            throw new ArgumentException(
                $"Given output_size={outputSize}, kernel_size={kernelSize}, dilation={d}, padding={p}, stride={s}, expected size of input's dimension 2 to match the calculated number of sliding blocks {g.OH} * {g.OW} = {(long)g.OH * g.OW}, but got input.size(2)={input.Dims[2]}.",
                nameof(input));
        }

        return Im2col.Fold(input, g);
    }

    /// <summary>Pads the last two dimensions: <c>F.pad(x, (left, right, top, bottom), mode)</c>.</summary>
    public static Tensor Pad(Tensor input, (int Left, int Right, int Top, int Bottom) pad, PaddingMode mode = PaddingMode.Zeros)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Convolution.Pad.Forward(input, pad.Left, pad.Right, pad.Top, pad.Bottom, mode, 0f);
    }

    /// <summary>Pads the last two dimensions with a constant: <c>F.pad(x, pad, value=value)</c>.</summary>
    public static Tensor Pad(Tensor input, (int Left, int Right, int Top, int Bottom) pad, float value)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Convolution.Pad.Forward(input, pad.Left, pad.Right, pad.Top, pad.Bottom, PaddingMode.Zeros, value);
    }

    /// <summary>max(x, 0) element-wise.</summary>
    public static Tensor Relu(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu();
    }

    /// <summary>
    /// Mean squared error, (input − target)² reduced as asked. Unlike PyTorch, which broadcasts
    /// different shapes with a warning, different shapes are an error here: they are nearly always a bug.
    /// </summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!Shapes.Equal(input.Dims, target.Dims))
        {
            throw new ArgumentException(
                $"MseLoss: the target of shape {Shapes.Format(target.Dims)} must have the input's shape {Shapes.Format(input.Dims)}.", nameof(target));
        }

        var squared = (input - target).Square();
        return reduction switch
        {
            Reduction.Mean => squared.Mean(),
            Reduction.Sum => squared.Sum(),
            _ => squared,
        };
    }
}
