namespace ConvSharp.Compute.Parallel;

/// <summary>A rented, pinned scratch buffer; dispose to give it back.</summary>
internal readonly unsafe struct WorkspaceBuffer : IDisposable
{
    /// <summary>The size class of an empty buffer, which holds no array from the pool.</summary>
    internal const int Empty = -1;

    private static readonly float Canary = BitConverter.Int32BitsToSingle(0x7FC0_0BAD);
    private readonly float[] _array;
    private readonly int _sizeClass;
    private readonly int _length;

    internal WorkspaceBuffer(float[] array, int sizeClass, int length)
    {
        _array = array;
        _sizeClass = sizeClass;
        _length = length;
        PlaceGuard();
    }

    /// <summary>
    /// The first float; the array is allocated on the pinned object heap, so the pointer stays valid until
    /// <see cref="Dispose"/>. Kernels may touch the floats they asked for and no more (Debug builds check a canary after them).
    /// </summary>
    public float* Pointer => (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_array));

    /// <summary>The floats asked for, no more: the pooled array behind them may be longer.</summary>
    public Span<float> Span => _array.AsSpan(0, _length);

    /// <summary>The floats this buffer counts against the bound: its size class (the array is longer by the Debug guard only).</summary>
    public int Capacity => _sizeClass == Empty ? 0 : 1 << _sizeClass;

    public void Dispose()
    {
        if (_sizeClass != Empty)
        {
            CheckGuard();
            Workspace.Return(_array, _sizeClass);
        }
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void PlaceGuard()
    {
        if (_sizeClass != Empty)
        {
            _array.AsSpan(_length, Workspace.GuardFloats).Fill(Canary);
        }
    }

    /// <summary>Debug builds (the tests) catch a kernel that wrote past the workspace it asked for.</summary>
    [System.Diagnostics.Conditional("DEBUG")]
    private void CheckGuard()
    {
        foreach (var value in _array.AsSpan(_length, Workspace.GuardFloats))
        {
            if (BitConverter.SingleToInt32Bits(value) != BitConverter.SingleToInt32Bits(Canary))
            {
                throw new InvalidOperationException($"internal error: a kernel wrote past the end of its {_length}-float workspace");
            }
        }
    }
}
