namespace ConvSharp.Nn;

/// <summary>2D adaptive average pooling, as <c>torch.nn.AdaptiveAvgPool2d</c>; see <see cref="Functional.AdaptiveAvgPool2d"/>.</summary>
public sealed class AdaptiveAvgPool2d : Module
{
    private readonly bool _square;

    /// <summary>A square output, OH = OW = <paramref name="outputSize"/>; prints as <c>output_size=1</c>, as PyTorch given an int.</summary>
    public AdaptiveAvgPool2d(int outputSize)
        : this((Size2)outputSize) => _square = true;

    /// <summary>An (OH, OW) output; prints as <c>output_size=(1, 1)</c>, as PyTorch given a tuple.</summary>
    public AdaptiveAvgPool2d(Size2 outputSize)
    {
        if (outputSize.H <= 0 || outputSize.W <= 0)
        {
            throw new ArgumentException($"AdaptiveAvgPool2d: elements of output_size must be greater than 0, but got output_size={outputSize}", nameof(outputSize));
        }

        OutputSize = outputSize;
    }

    /// <summary>(OH, OW).</summary>
    public Size2 OutputSize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutputSize);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"output_size={(_square ? PoolingRepr.Format(OutputSize) : OutputSize.ToString())}";
}
