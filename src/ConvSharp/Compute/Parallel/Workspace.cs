using System.Collections.Concurrent;

namespace ConvSharp.Compute.Parallel;

/// <summary>
/// Scratch memory for the engine: pinned float arrays (on the pinned object heap, so kernels
/// can hold raw pointers) in power-of-two size classes, reused across calls. No single buffer
/// may exceed <see cref="MaxFloats"/>: algorithms tile their work to stay under it, and asking
/// for more is a bug that throws. Tests read the peak to prove the bound.
/// </summary>
internal static class Workspace
{
    /// <summary>32 MB: the most workspace any one buffer may take.</summary>
    public const int MaxFloats = 8 << 20;

    /// <summary>
    /// 16 MB for buffers whose size follows the weights (packed or transformed filters): larger
    /// layers are processed in passes over their output channels.
    /// </summary>
    public const int WeightBudgetFloats = 4 << 20;

    /// <summary>
    /// The floats one work item may hold when <paramref name="threads"/> run at once: 16 MB
    /// shared by the items in flight, so a call stays within 32 MB with the weight buffers,
    /// whatever the image size and thread count.
    /// </summary>
    public static int ItemBudgetFloats(int threads) => Math.Max(1 << 16, (4 << 20) / Math.Max(threads, 1));

    private const int MinimumClass = 10;

    /// <summary>Floats after each buffer that Debug builds fill with a canary and check when the buffer comes back.</summary>
    internal const int GuardFloats = 16;
    private const int KeptPerClass = 8;
    // Size classes up to 2^25 floats: MaxFloats plus the guard rounds up to class 24.
    private static readonly ConcurrentBag<float[]>[] Buckets =
        [.. Enumerable.Range(0, 26).Select(_ => new ConcurrentBag<float[]>())];

    private static long _rentedFloats;
    private static long _peakFloats;

    /// <summary>Floats rented and not yet returned, at the most, since <see cref="ResetPeak"/>.</summary>
    public static long PeakFloats => Interlocked.Read(ref _peakFloats);

    public static void ResetPeak() => Interlocked.Exchange(ref _peakFloats, Interlocked.Read(ref _rentedFloats));

    /// <summary>A buffer of at least <paramref name="floats"/> floats; its contents are undefined.</summary>
    public static WorkspaceBuffer Rent(long floats)
    {
        // Unsigned, so that a size that wrapped negative throws too, rather than renting a small array a kernel would overrun.
        if ((ulong)floats > MaxFloats)
        {
            throw new InvalidOperationException(
                $"internal error: a workspace of {floats * 4 / (1 << 20)} MB was requested, over the {MaxFloats * 4 / (1 << 20)} MB bound; the algorithm must tile its work");
        }

        var sizeClass = Math.Max(MinimumClass, 64 - (int)long.LeadingZeroCount(Math.Max(floats + GuardFloats, 1) - 1));
        if (!Buckets[sizeClass].TryTake(out var array))
        {
            array = GC.AllocateUninitializedArray<float>(1 << sizeClass, pinned: true);
        }

        var rented = Interlocked.Add(ref _rentedFloats, array.Length);
        long peak;
        while (rented > (peak = Interlocked.Read(ref _peakFloats)) && Interlocked.CompareExchange(ref _peakFloats, rented, peak) != peak)
        {
        }

        return new WorkspaceBuffer(array, sizeClass, (int)floats);
    }

    internal static void Return(float[] array, int sizeClass)
    {
        Interlocked.Add(ref _rentedFloats, -array.Length);
        if (Buckets[sizeClass].Count < KeptPerClass)
        {
            Buckets[sizeClass].Add(array);
        }
    }
}

/// <summary>A rented, pinned scratch buffer; dispose to give it back.</summary>
internal readonly unsafe struct WorkspaceBuffer : IDisposable
{
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

    public void Dispose()
    {
        CheckGuard();
        Workspace.Return(_array, _sizeClass);
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void PlaceGuard() => _array.AsSpan(_length, Workspace.GuardFloats).Fill(Canary);

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
