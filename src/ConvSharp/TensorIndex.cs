namespace ConvSharp;

/// <summary>
/// One entry of a tensor index: an integer (negative counts from the end, as in Python), a C#
/// <see cref="Index"/> such as <c>^1</c>, a <see cref="Range"/> such as <c>2..6</c> or <c>..</c>,
/// <see cref="Ellipsis"/> (<c>...</c>) or <see cref="NewAxis"/> (<c>None</c>).
/// </summary>
/// <remarks>
/// <c>X[.., 2..6]</c> is PyTorch's <c>X[:, 2:6]</c>. Ranges are clamped to the size as Python
/// slices are (<c>X[..100]</c> is the whole dimension); single indices out of range throw.
/// </remarks>
public readonly struct TensorIndex : IEquatable<TensorIndex>
{
    private TensorIndex(IndexKind kind, int value, bool fromEnd, Range range)
    {
        Kind = kind;
        Value = value;
        FromEnd = fromEnd;
        Slice = range;
    }

    internal enum IndexKind
    {
        Single,
        Slice,
        Ellipsis,
        NewAxis,
    }

    /// <summary>Stands for as many full slices as needed: Python's <c>...</c>.</summary>
    public static TensorIndex Ellipsis { get; } = new(IndexKind.Ellipsis, 0, false, default);

    /// <summary>Inserts a dimension of size 1: Python's <c>None</c> in an index.</summary>
    public static TensorIndex NewAxis { get; } = new(IndexKind.NewAxis, 0, false, default);

    internal IndexKind Kind { get; }

    internal int Value { get; }

    internal bool FromEnd { get; }

    internal Range Slice { get; }

    /// <summary>An integer index; negative values count from the end.</summary>
    public static implicit operator TensorIndex(int index) =>
        index < 0 ? new(IndexKind.Single, -index, true, default) : new(IndexKind.Single, index, false, default);

    /// <summary>A C# index such as <c>^1</c>.</summary>
    public static implicit operator TensorIndex(Index index) => new(IndexKind.Single, index.Value, index.IsFromEnd, default);

    /// <summary>A C# range such as <c>2..6</c>.</summary>
    public static implicit operator TensorIndex(Range range) => new(IndexKind.Slice, 0, false, range);

    /// <summary>Resolves a single index against a dimension of <paramref name="size"/>; may be out of range.</summary>
    internal int Resolve(int size) => FromEnd ? size - Value : Value;

    /// <summary>Resolves a range against a dimension of <paramref name="size"/>, clamped like a Python slice.</summary>
    internal (int Start, int Length) ResolveSlice(int size)
    {
        var start = Math.Clamp(Slice.Start.IsFromEnd ? size - Slice.Start.Value : Slice.Start.Value, 0, size);
        var end = Math.Clamp(Slice.End.IsFromEnd ? size - Slice.End.Value : Slice.End.Value, 0, size);
        return (start, Math.Max(end - start, 0));
    }

    /// <inheritdoc/>
    public bool Equals(TensorIndex other) =>
        Kind == other.Kind && Value == other.Value && FromEnd == other.FromEnd && Slice.Equals(other.Slice);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorIndex other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Value, FromEnd, Slice);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        IndexKind.Single => FromEnd ? $"^{Value}" : Value.ToString(),
        IndexKind.Slice => Slice.ToString(),
        IndexKind.Ellipsis => "...",
        _ => "NewAxis",
    };

    /// <summary>Equality of index entries.</summary>
    public static bool operator ==(TensorIndex left, TensorIndex right) => left.Equals(right);

    /// <summary>Inequality of index entries.</summary>
    public static bool operator !=(TensorIndex left, TensorIndex right) => !left.Equals(right);
}
