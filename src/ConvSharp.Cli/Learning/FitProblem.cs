using ConvSharp.Cli.CommandLine;

namespace ConvSharp.Cli.Learning;

/// <summary>
/// The least-squares problem <see cref="KernelFitter"/> descends: the input, standardised; the
/// part of the target the loss covers; and the convolution that maps one to the other.
/// </summary>
internal sealed class FitProblem
{
    private FitProblem(Tensor input, Tensor target, float[] means, Whitening whitening, int inputChannels, int outputChannels, int groups)
    {
        (Input, Target, Means, Whitening, InputChannels, OutputChannels, Groups) = (input, target, means, whitening, inputChannels, outputChannels, groups);
    }

    /// <summary>The standardised input, batched as the convolution takes it.</summary>
    public Tensor Input { get; }

    /// <summary>The target values the loss covers, shaped like the prediction.</summary>
    public Tensor Target { get; }

    /// <summary>The mean subtracted from each input channel of the convolution.</summary>
    public float[] Means { get; }

    /// <summary>The change of channels applied to the centred input.</summary>
    public Whitening Whitening { get; }

    public int InputChannels { get; }

    public int OutputChannels { get; }

    public int Groups { get; }

    /// <summary>
    /// Sets the problem up. Without padding the loss covers the valid part: windows wholly inside
    /// the input, whatever border the target's maker used. A target as large as the input
    /// ("same") or larger ("full") is cropped by the kernel's half-size, rounded down (PyTorch's
    /// and SciPy's alignment; OpenCV centres even kernels one pixel the other way).
    /// </summary>
    public static FitProblem Create(Tensor image, Tensor target, FitOptions options)
    {
        var (c, h, w) = (image.Shape[0], image.Shape[1], image.Shape[2]);
        var (tc, th, tw) = (target.Shape[0], target.Shape[1], target.Shape[2]);
        var (kh, kw) = (options.KernelHeight, options.KernelWidth);
        if (kh > h || kw > w)
        {
            throw new CommandFailedException($"the kernel ({kh}×{kw}) is larger than the input ({h}×{w})");
        }

        if (options.Sharing != ChannelSharing.Full && tc != c)
        {
            throw new CommandFailedException(
                $"the input has {c} channel(s) and the target {tc}; --channels {options.Sharing.ToString().ToLowerInvariant()} maps each channel to itself, use --channels full to map {c} channel(s) to {tc}");
        }

        // Standardise so that every tap sees unit variance (and, where a kernel mixes channels,
        // uncorrelated channels): the step size then no longer depends on the image's
        // brightness, contrast or colour.
        var (batched, channelsIn, outputs, groups) = options.Sharing switch
        {
            ChannelSharing.Shared => (image.Unsqueeze(1), 1, 1, 1),
            ChannelSharing.Depthwise => (image.Unsqueeze(0), c, c, c),
            _ => (image.Unsqueeze(0), c, tc, 1),
        };
        var centre = options.LearnBias && (options.Padding is null || options.Mode != PaddingMode.Zeros);
        var means = new float[batched.Shape[1]];
        if (centre)
        {
            var perChannel = batched.Mean([0, 2, 3]).ToArray();
            Array.Copy(perChannel, means, means.Length);
        }

        var centred = batched - Tensor.FromArray(means, 1, means.Length, 1, 1);
        var whitening = Whitening.For(centred, decorrelate: options.Sharing == ChannelSharing.Full);
        var input = whitening.Apply(centred);

        var targetBatched = options.Sharing == ChannelSharing.Shared ? target.Unsqueeze(1) : target.Unsqueeze(0);
        Tensor fitted;
        if (options.Padding is null)
        {
            var (oh, ow) = (h - kh + 1, w - kw + 1);
            fitted = targetBatched[.., .., Crop(th, oh, kh, "height"), Crop(tw, ow, kw, "width")];
        }
        else
        {
            var probe = Functional.Conv2d(input, Tensor.Zeros(outputs, channelsIn / groups, kh, kw), null, 1, options.Padding.Value, groups: groups, paddingMode: options.Mode);
            if (probe.Shape[2] != th || probe.Shape[3] != tw)
            {
                throw new CommandFailedException(
                    $"with padding {options.Padding.Value} a {kh}×{kw} kernel turns the {h}×{w} input into {probe.Shape[2]}×{probe.Shape[3]}, but the target is {th}×{tw}");
            }

            fitted = targetBatched;
        }

        return new FitProblem(input, fitted.Contiguous(), means, whitening, channelsIn, outputs, groups);
    }

    private static Range Crop(int target, int valid, int kernel, string axis)
    {
        var extra = target - valid;
        if (extra < 0 || extra > 2 * (kernel - 1))
        {
            throw new CommandFailedException(
                $"the target's {axis} is {target}, but a {kernel}-tap kernel on this input gives {valid} ('valid') to {valid + (2 * (kernel - 1))} ('full'); is --size right?");
        }

        var start = extra / 2;
        return start..(start + valid);
    }
}
