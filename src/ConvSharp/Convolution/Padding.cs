namespace ConvSharp;

/// <summary>
/// How much border a convolution adds: an <c>int</c> (all sides), a tuple <c>(1, 0)</c>
/// (top and bottom, left and right), <see cref="Same"/>, <see cref="Valid"/> or
/// <see cref="Explicit"/> per side.
/// </summary>
/// <remarks>
/// <see cref="Same"/> keeps the output size at ceil(input / stride). For stride 1 that is
/// PyTorch's <c>padding='same'</c>: total padding dilation·(k − 1), the extra row or column of an
/// even kernel at the end (bottom, right), as in PyTorch and <c>scipy.signal</c>; OpenCV and
/// <c>scipy.ndimage</c> centre even kernels the other way, one pixel apart. For stride &gt; 1,
/// which PyTorch refuses, it follows TensorFlow: total max((ceil(H/s) − 1)·s + (k − 1)·d + 1 − H, 0),
/// the smaller half first.
/// </remarks>
public readonly struct Padding : IEquatable<Padding>
{
    private readonly PaddingKind _kind;

    private Padding(PaddingKind kind, int top, int bottom, int left, int right)
    {
        _kind = kind;
        Top = top;
        Bottom = bottom;
        Left = left;
        Right = right;
    }

    private enum PaddingKind
    {
        Explicit,
        Same,
        Valid,
    }

    /// <summary>Pad so that the output has ceil(input / stride) rows and columns.</summary>
    public static Padding Same { get; } = new(PaddingKind.Same, 0, 0, 0, 0);

    /// <summary>No padding: the output covers only positions where the kernel fits.</summary>
    public static Padding Valid { get; } = new(PaddingKind.Valid, 0, 0, 0, 0);

    /// <summary>Rows added above (explicit padding only).</summary>
    public int Top { get; }

    /// <summary>Rows added below (explicit padding only).</summary>
    public int Bottom { get; }

    /// <summary>Columns added on the left (explicit padding only).</summary>
    public int Left { get; }

    /// <summary>Columns added on the right (explicit padding only).</summary>
    public int Right { get; }

    /// <summary>Whether this is <see cref="Same"/>.</summary>
    public bool IsSame => _kind == PaddingKind.Same;

    /// <summary>Whether the padding is the same on opposite sides (what PyTorch's int/pair padding can express).</summary>
    public bool IsSymmetric => _kind == PaddingKind.Valid || (_kind == PaddingKind.Explicit && Top == Bottom && Left == Right);

    /// <summary>Different padding on each side (beyond PyTorch's conv2d, which pads symmetrically).</summary>
    public static Padding Explicit(int top, int bottom, int left, int right) =>
        new(PaddingKind.Explicit, top, bottom, left, right);

    /// <summary>The same padding on all four sides.</summary>
    public static implicit operator Padding(int all) => Explicit(all, all, all, all);

    /// <summary>(rows above and below, columns left and right).</summary>
    public static implicit operator Padding((int H, int W) pair) => Explicit(pair.H, pair.H, pair.W, pair.W);

    /// <summary>
    /// The rows and columns this padding adds on each side of a <paramref name="height"/> ×
    /// <paramref name="width"/> input for a kernel of <paramref name="kernel"/> (what
    /// <see cref="Same"/> works out to, for instance).
    /// </summary>
    /// <exception cref="ArgumentException">a side needs more than <see cref="int.MaxValue"/> rows or columns</exception>
    public (int Top, int Bottom, int Left, int Right) For(int height, int width, Size2 kernel, Size2? stride = null, Size2? dilation = null)
    {
        var (s, d) = (stride ?? 1, dilation ?? 1);
        if (height < 0 || width < 0 || kernel.H < 1 || kernel.W < 1 || s.H < 1 || s.W < 1 || d.H < 1 || d.W < 1)
        {
            throw new ArgumentException(
                $"padding {this} for an input of {height}×{width}, kernel {kernel}, stride {s}, dilation {d}: sizes must not be negative, and kernel, stride and dilation must be at least 1");
        }

        var (top, bottom, left, right) = Resolve(height, width, kernel, s, d);
        if (Math.Max(Math.Max(top, bottom), Math.Max(left, right)) > int.MaxValue)
        {
            throw new ArgumentException($"padding {this} for kernel {kernel} with dilation {d} needs (top {top}, bottom {bottom}, left {left}, right {right}), more than an int holds");
        }

        return ((int)top, (int)bottom, (int)left, (int)right);
    }

    /// <summary>
    /// The four paddings for a given input, kernel, stride and dilation, in 64-bit arithmetic:
    /// <see cref="Same"/> with a huge dilation needs more padding than an <c>int</c> holds, and the
    /// geometry refuses that with the true numbers rather than wrapped ones.
    /// </summary>
    internal (long Top, long Bottom, long Left, long Right) Resolve(int h, int w, Size2 kernel, Size2 stride, Size2 dilation)
    {
        switch (_kind)
        {
            case PaddingKind.Same:
                var (top, bottom) = SameSplit(h, kernel.H, stride.H, dilation.H);
                var (left, right) = SameSplit(w, kernel.W, stride.W, dilation.W);
                return (top, bottom, left, right);
            case PaddingKind.Valid:
                return (0, 0, 0, 0);
            default:
                return (Top, Bottom, Left, Right);
        }
    }

    private static (long Before, long After) SameSplit(int size, int kernel, int stride, int dilation)
    {
        var outSize = ((long)size + stride - 1) / stride;
        var total = Math.Max(((outSize - 1) * stride) + ((kernel - 1L) * dilation) + 1 - size, 0);
        return (total / 2, total - (total / 2));
    }

    /// <inheritdoc/>
    public bool Equals(Padding other) =>
        _kind == other._kind && Top == other.Top && Bottom == other.Bottom && Left == other.Left && Right == other.Right;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Padding other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_kind, Top, Bottom, Left, Right);

    /// <summary>As PyTorch prints a layer's padding: <c>(1, 1)</c>, <c>same</c>, <c>valid</c>.</summary>
    public override string ToString() => _kind switch
    {
        PaddingKind.Same => "same",
        PaddingKind.Valid => "valid",
        _ when IsSymmetric => $"({Top}, {Left})",
        _ => $"(top={Top}, bottom={Bottom}, left={Left}, right={Right})",
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(Padding left, Padding right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Padding left, Padding right) => !left.Equals(right);
}

/// <summary>
/// What lies beyond the border, named as in PyTorch's <c>padding_mode</c> (plus
/// <see cref="Symmetric"/>, which PyTorch lacks).
/// </summary>
public enum PaddingMode
{
    /// <summary>Zeros outside the image (<c>'zeros'</c>, NumPy <c>constant</c>).</summary>
    Zeros,

    /// <summary>Mirror without repeating the edge: <c>dcb|abcd|cba</c> (OpenCV BORDER_REFLECT_101).</summary>
    Reflect,

    /// <summary>Repeat the edge value: <c>aaa|abcd|ddd</c> (NumPy <c>edge</c>).</summary>
    Replicate,

    /// <summary>Wrap around: <c>bcd|abcd|abc</c> (NumPy <c>wrap</c>).</summary>
    Circular,

    /// <summary>Mirror repeating the edge: <c>cba|abcd|dcba</c> (NumPy <c>symmetric</c>, OpenCV BORDER_REFLECT).</summary>
    Symmetric,
}
