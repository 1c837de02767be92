using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// A <see cref="KernelSpec"/> as a convolution over an image of C channels: a (KH, KW) kernel
/// filters every channel alike (each channel a one-channel image of a batch), a (C, KH, KW)
/// kernel each channel with its own (depthwise), an (OC, C, KH, KW) kernel mixes channels into OC.
/// </summary>
/// <param name="Weight">(OC, C/groups, KH, KW), already flipped for a true convolution</param>
/// <param name="Bias">(OC), or null</param>
/// <param name="Groups">channel groups of the convolution</param>
/// <param name="PerChannel">whether the image's channels are a batch of one-channel images</param>
/// <param name="OutputChannels">channels of the response</param>
internal sealed record ImageFilter(Tensor Weight, Tensor? Bias, int Groups, bool PerChannel, int OutputChannels)
{
    public int KernelHeight => Weight.Shape[2];

    public int KernelWidth => Weight.Shape[3];

    /// <summary>The filter <paramref name="kernel"/> makes for an image with <paramref name="channels"/> channels, or why it cannot.</summary>
    public static ImageFilter For(KernelSpec kernel, int channels, bool convolve)
    {
        var weight = kernel.Weight;
        var filter = weight.Rank switch
        {
            2 => new ImageFilter(weight.Reshape(1, 1, weight.Shape[0], weight.Shape[1]), CheckBias(kernel.Bias, 1), 1, true, channels),
            3 when weight.Shape[0] == channels => new ImageFilter(weight.Unsqueeze(1), CheckBias(kernel.Bias, channels), channels, false, channels),
            4 when weight.Shape[1] == channels => new ImageFilter(weight, CheckBias(kernel.Bias, weight.Shape[0]), 1, false, weight.Shape[0]),
            _ => throw new CommandFailedException(
                $"a kernel of size [{string.Join(", ", weight.Shape)}] does not fit an image with {channels} channel(s): "
                + $"use (KH, KW) for every channel alike, ({channels}, KH, KW) for one kernel per channel, or (OC, {channels}, KH, KW) to mix channels"),
        };
        return convolve ? filter with { Weight = filter.Weight.Flip(2, 3).Contiguous() } : filter;
    }

    /// <summary>
    /// The response to rows of an image: <paramref name="rows"/> is (C, R, W) with the vertical
    /// border already in place, so only the columns are padded here. Returns (OC, R′, OW).
    /// </summary>
    public Tensor Apply(Tensor rows, FilterSettings settings, int left, int right)
    {
        using var noGrad = Tensor.NoGrad();
        var input = PerChannel ? rows.Unsqueeze(1) : rows.Unsqueeze(0);
        var response = Functional.Conv2d(input, Weight, Bias, settings.Stride, Padding.Explicit(0, 0, left, right), groups: Groups, paddingMode: settings.Mode);
        return PerChannel ? response.Squeeze(1) : response.Squeeze(0);
    }

    /// <summary>The response's height and width for an image of <paramref name="height"/> × <paramref name="width"/>, checked by the library's own rules without computing anything (a batch of no images).</summary>
    public (int Height, int Width) OutputSize(int channels, int height, int width, FilterSettings settings)
    {
        using var noGrad = Tensor.NoGrad();
        var probe = Tensor.Zeros(0, PerChannel ? 1 : channels, height, width);
        var shape = Functional.Conv2d(probe, Weight, Bias, settings.Stride, settings.Padding, groups: Groups, paddingMode: settings.Mode).Shape;
        return (shape[2], shape[3]);
    }

    /// <summary>
    /// The display mapping that suits a kernel: taps summing to 1 keep brightness (a blur, a
    /// sharpen): clamp; taps summing to 0 respond to change with a sign (edges, derivatives):
    /// signed colours; anything else: min–max normalised.
    /// </summary>
    public static DisplayMap ChooseMap(KernelSpec kernel)
    {
        var weight = kernel.Weight;
        var sums = weight.Sum([-2, -1]).ToArray(); // one sum per 2-D kernel
        var scale = Math.Max(weight.Abs().ToArray().Max(), 1e-12f);
        if (kernel.Bias is null && sums.All(s => MathF.Abs(s - 1f) < 1e-3f))
        {
            return DisplayMap.Clamp;
        }

        return sums.All(s => MathF.Abs(s) < 1e-4f * scale) ? DisplayMap.Signed : DisplayMap.Normalize;
    }

    private static Tensor? CheckBias(Tensor? bias, int outputs)
    {
        if (bias is null)
        {
            return null;
        }

        return bias.NumElements == outputs
            ? bias.Reshape(outputs)
            : throw new CommandFailedException($"the bias has {bias.NumElements} value(s) but the kernel makes {outputs} output channel(s); give one bias per output channel");
    }
}
