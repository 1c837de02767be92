using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>Filters a (C, H, W) image with a <see cref="KernelSpec"/>, and picks how the response is shown.</summary>
internal static class ImageFilter
{
    /// <summary>
    /// The raw response: a (KH, KW) kernel filters every channel alike, a (C, KH, KW) kernel each
    /// channel with its own (depthwise), an (OC, C, KH, KW) kernel mixes channels into OC outputs.
    /// </summary>
    public static Tensor Apply(Tensor image, KernelSpec kernel, FilterSettings settings)
    {
        var (channels, height, width) = (image.Shape[0], image.Shape[1], image.Shape[2]);
        var weight = kernel.Weight;
        var (kh, kw) = (weight.Shape[^2], weight.Shape[^1]);
        if (kh > height || kw > width)
        {
            throw new UsageException($"the kernel ({kh}×{kw}) is larger than the image ({height}×{width}); a kernel must fit inside the image");
        }

        using var noGrad = Tensor.NoGrad();
        return weight.Rank switch
        {
            2 => Shared(image, weight, kernel.Bias, settings),
            3 when weight.Shape[0] == channels => Convolve(image, weight.Unsqueeze(1), Bias(kernel.Bias, channels), channels, settings),
            4 when weight.Shape[1] == channels => Convolve(image, weight, Bias(kernel.Bias, weight.Shape[0]), 1, settings),
            _ => throw new UsageException(
                $"a kernel of size [{string.Join(", ", weight.Shape)}] does not fit an image with {channels} channel(s): "
                + $"use (KH, KW) for every channel alike, ({channels}, KH, KW) for one kernel per channel, or (OC, {channels}, KH, KW) to mix channels"),
        };
    }

    // Each channel as its own one-channel image: the single-channel fast path, batched.
    private static Tensor Shared(Tensor image, Tensor weight, Tensor? bias, FilterSettings settings)
    {
        var channels = image.Shape[0];
        var batch = image.Unsqueeze(1);
        var response = Convolve(batch, weight.Reshape(1, 1, weight.Shape[0], weight.Shape[1]), Bias(bias, 1), 1, settings);
        return response.Reshape(channels, response.Shape[2], response.Shape[3]);
    }

    private static Tensor Convolve(Tensor input, Tensor weight, Tensor? bias, int groups, FilterSettings settings) =>
        settings.Convolve
            ? Functional.Convolve2d(input, weight, bias, settings.Stride, settings.Padding, groups: groups, paddingMode: settings.Mode)
            : Functional.Conv2d(input, weight, bias, settings.Stride, settings.Padding, groups: groups, paddingMode: settings.Mode);

    private static Tensor? Bias(Tensor? bias, int outputs)
    {
        if (bias is null)
        {
            return null;
        }

        return bias.NumElements == outputs
            ? bias.Reshape(outputs)
            : throw new UsageException($"the bias has {bias.NumElements} value(s) but the kernel makes {outputs} output channel(s); give one bias per output channel");
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
}
