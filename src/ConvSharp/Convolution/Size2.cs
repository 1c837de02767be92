namespace ConvSharp;

/// <summary>
/// A pair of per-axis integers, (height, width): a kernel size, stride or dilation. An
/// <c>int</c> means the same value on both axes, a tuple <c>(2, 1)</c> gives each, as PyTorch's
/// <c>_pair</c> does.
/// </summary>
public readonly record struct Size2(int H, int W)
{
    /// <summary>The same value for height and width.</summary>
    public static implicit operator Size2(int value) => new(value, value);

    /// <summary>(height, width).</summary>
    public static implicit operator Size2((int H, int W) value) => new(value.H, value.W);

    /// <summary>Prints as PyTorch prints a pair: <c>(1, 2)</c>.</summary>
    public override string ToString() => $"({H}, {W})";
}
