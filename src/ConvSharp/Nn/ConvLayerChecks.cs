namespace ConvSharp.Nn;

/// <summary>What <see cref="Conv2d"/> and <see cref="ConvTranspose2d"/> check and how they initialise, in one place.</summary>
internal static class ConvLayerChecks
{
    public static void Validate(int inChannels, int outChannels, Size2 kernelSize, int groups, Size2 stride, Size2 dilation)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize.H <= 0 || kernelSize.W <= 0)
        {
            throw new ArgumentException(
                $"convolution layers need positive sizes, but got in_channels={inChannels}, out_channels={outChannels}, kernel_size={kernelSize}");
        }

        if (groups <= 0)
        {
            throw new ArgumentException($"groups must be a positive integer, but got groups={groups}", nameof(groups));
        }

        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException(
                $"in_channels ({inChannels}) and out_channels ({outChannels}) must both be divisible by groups ({groups})", nameof(groups));
        }

        if (stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0)
        {
            throw new ArgumentException($"stride {stride} and dilation {dilation} must be positive");
        }
    }

    /// <summary>
    /// PyTorch's <c>reset_parameters</c>: Kaiming-uniform weight with a = √5, which is
    /// U(±1/√fan_in), then the bias U(±1/√fan_in); fan_in is the weight's size(1)·KH·KW.
    /// </summary>
    public static void ResetParameters(Parameter weight, Parameter? bias)
    {
        Init.KaimingUniform(weight, a: Math.Sqrt(5));
        if (bias is not null)
        {
            var fanIn = Init.FanIn(weight);
            var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
            Init.Uniform(bias, (float)-bound, (float)bound);
        }
    }
}
