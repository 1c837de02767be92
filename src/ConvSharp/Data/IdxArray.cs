namespace ConvSharp.Data;

/// <summary>
/// The contents of one IDX file of unsigned bytes (MNIST's format): its dimensions, first the
/// number of examples, and the bytes in row-major order. <see cref="IdxFile"/> reads it.
/// </summary>
public sealed class IdxArray
{
    private readonly int[] _dims;
    private readonly byte[] _data;

    internal IdxArray(string source, int[] dims, byte[] data)
    {
        Source = source;
        _dims = dims;
        _data = data;
    }

    /// <summary>The file it was read from.</summary>
    public string Source { get; }

    /// <summary>The dimensions, e.g. (60000, 28, 28) for images or (60000) for labels; a copy.</summary>
    public int[] Shape => (int[])_dims.Clone();

    /// <summary>The number of dimensions: 3 for images, 1 for labels.</summary>
    public int Rank => _dims.Length;

    /// <summary>The number of examples: the first dimension.</summary>
    public int Count => _dims[0];

    /// <summary>The bytes of one example: the product of the dimensions after the first (1 for labels).</summary>
    public int ExampleSize => _dims.Length == 1 ? 1 : _data.Length / _dims[0];

    /// <summary>Every byte, in row-major order.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>The array itself, for this library's loaders (no copy).</summary>
    internal byte[] Bytes => _data;
}
