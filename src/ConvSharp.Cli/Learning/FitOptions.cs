namespace ConvSharp.Cli.Learning;

/// <summary>How the kernel is shared across colour channels.</summary>
internal enum ChannelSharing
{
    /// <summary>One (KH, KW) kernel filters every channel alike (what <c>apply</c> does with a 2-D kernel).</summary>
    Shared,

    /// <summary>One kernel per channel: (C, KH, KW).</summary>
    Depthwise,

    /// <summary>Every output channel from every input channel: (OC, C, KH, KW), e.g. colour in, gray out.</summary>
    Full,
}

/// <summary>Which optimiser takes the gradient steps.</summary>
internal enum OptimizerKind
{
    /// <summary>SGD with momentum 0.95.</summary>
    Sgd,

    /// <summary>Adam.</summary>
    Adam,
}

/// <summary>What <see cref="KernelFitter"/> fits and how.</summary>
/// <param name="KernelHeight">KH</param>
/// <param name="KernelWidth">KW</param>
/// <param name="Sharing">how the kernel spans channels</param>
/// <param name="Padding">null: fit only the pixels that do not depend on the border; else the border the target was made with</param>
/// <param name="Mode">the border mode, with <paramref name="Padding"/></param>
/// <param name="Optimizer">SGD with momentum or Adam</param>
/// <param name="Epochs">full-batch gradient steps, at most</param>
/// <param name="LearningRate">null: SGD 1.8/(taps + 1) on the standardised input, Adam 0.1</param>
/// <param name="LearnBias">fit a bias too</param>
internal sealed record FitOptions(
    int KernelHeight, int KernelWidth, ChannelSharing Sharing = ChannelSharing.Shared, Padding? Padding = null,
    PaddingMode Mode = PaddingMode.Zeros, OptimizerKind Optimizer = OptimizerKind.Sgd, int Epochs = 3000,
    float? LearningRate = null, bool LearnBias = true);

/// <summary>What <see cref="KernelFitter"/> found.</summary>
/// <param name="Kernel">(KH, KW) shared, (C, KH, KW) depthwise, (OC, C, KH, KW) full</param>
/// <param name="Bias">one per output channel: (1) shared, (C) depthwise, (OC) full</param>
/// <param name="Losses">the mean squared error before each step, in the target's units</param>
/// <param name="FittedPixels">how many target values the loss covers</param>
/// <param name="LearningRate">the learning rate used</param>
/// <param name="TargetVariance">the variance of the fitted target values: the loss of predicting their mean</param>
internal sealed record FitResult(Tensor Kernel, Tensor Bias, IReadOnlyList<float> Losses, long FittedPixels, float LearningRate, float TargetVariance)
{
    /// <summary>The fraction of the target's variance the fit explains (R²): 1 for an exact fit.</summary>
    public double Explained => TargetVariance > 0 ? 1 - (Losses[^1] / (double)TargetVariance) : 1;
}
