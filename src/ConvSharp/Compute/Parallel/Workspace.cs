using System.Collections.Concurrent;
using System.Numerics;

namespace ConvSharp.Compute.Parallel;

/// <summary>
/// Scratch memory for the engine: pinned float arrays (on the pinned object heap, so kernels
/// can hold raw pointers) in power-of-two size classes, reused across calls. One call may hold
/// at most <see cref="MaxFloats"/> in all, counted in whole size classes: every algorithm sizes
/// its tiles, and the number of them in flight, from its plan's budget (see
/// <see cref="ConvPlan.WorkspaceFloats"/>), so a single request over the bound is a bug that
/// throws. Tests read the peak to prove the bound.
/// </summary>
/// <remarks>
/// The pool keeps at most <see cref="PoolCapFloats"/>; a size class not rented for
/// <see cref="IdleMilliseconds"/> is released after the next gen-2 collection, and everything is
/// released when the machine runs short of memory (as <c>ArrayPool.Shared</c> trims on gen 2).
/// </remarks>
internal static class Workspace
{
    /// <summary>32 MB: the most workspace one call may hold, all its buffers together.</summary>
    public const int MaxFloats = 8 << 20;

    /// <summary>
    /// 16 MB, half the bound, for buffers whose size follows the weights (packed or transformed
    /// filters, partial weight gradients): larger layers are processed in passes over their
    /// output channels, and the work items share the other half.
    /// </summary>
    public const int WeightBudgetFloats = MaxFloats / 2;

    /// <summary>The most the pool keeps between calls: two calls' worth.</summary>
    public const long PoolCapFloats = 2L * MaxFloats;

    /// <summary>A size class not rented for this long is released by the next trim.</summary>
    public const long IdleMilliseconds = 30_000;

#if DEBUG
    /// <summary>
    /// Floats after each buffer that Debug builds fill with a canary and check when the buffer
    /// comes back. They lie outside the size class (Debug arrays are this much longer), so a
    /// request of exactly 2^k floats takes class k in every build, and the bound counts classes.
    /// </summary>
    internal const int GuardFloats = 16;
#else
    internal const int GuardFloats = 0;
#endif

    private const int MinimumClass = 10;
    private static readonly int MaximumClass = BitOperations.Log2(MaxFloats);

    // One bucket per class up to MaxFloats (classes below MinimumClass stay empty).
    private static readonly ConcurrentBag<float[]>[] Buckets =
        [.. Enumerable.Range(0, MaximumClass + 1).Select(_ => new ConcurrentBag<float[]>())];

    private static readonly long[] LastRented = new long[MaximumClass + 1];

    private static long _rentedFloats;
    private static long _peakFloats;
    private static long _pooledFloats;

    static Workspace() => Gen2GcCallback.Register(TrimAfterCollection);

    /// <summary>Floats rented and not yet returned, at the most, since <see cref="ResetPeak"/>; whole size classes.</summary>
    public static long PeakFloats => Interlocked.Read(ref _peakFloats);

    /// <summary>Floats the pool holds for later calls.</summary>
    public static long PooledFloats => Interlocked.Read(ref _pooledFloats);

    public static void ResetPeak() => Interlocked.Exchange(ref _peakFloats, Interlocked.Read(ref _rentedFloats));

    /// <summary>The floats a request of <paramref name="floats"/> counts against the bound: its size class, or nothing for an empty request.</summary>
    public static long Footprint(long floats) => floats <= 0 ? 0 : 1L << SizeClass(floats);

    /// <summary>The largest power of two at most <paramref name="floats"/>: a share whose buffers' footprints cannot exceed it.</summary>
    public static long FloorClass(long floats) => floats < 1 ? 0 : 1L << BitOperations.Log2((ulong)floats);

    /// <summary>A buffer of at least <paramref name="floats"/> floats; its contents are undefined.</summary>
    public static WorkspaceBuffer Rent(long floats)
    {
        // Unsigned, so that a size that wrapped negative throws too, rather than renting a small array a kernel would overrun.
        if ((ulong)floats > MaxFloats)
        {
            throw new InvalidOperationException(
                $"internal error: a workspace of {floats * 4 / (1 << 20)} MB was requested, over the {MaxFloats * 4 / (1 << 20)} MB bound; the algorithm must tile its work");
        }

        if (floats == 0)
        {
            // Nothing to hold: an algorithm that needs a buffer only for some shapes rents zero floats for the others.
            return new WorkspaceBuffer([], WorkspaceBuffer.Empty, 0);
        }

        var sizeClass = SizeClass(floats);
        Volatile.Write(ref LastRented[sizeClass], Environment.TickCount64);
        if (Buckets[sizeClass].TryTake(out var array))
        {
            Interlocked.Add(ref _pooledFloats, -(1L << sizeClass));
        }
        else
        {
            array = GC.AllocateUninitializedArray<float>((1 << sizeClass) + GuardFloats, pinned: true);
        }

        var rented = Interlocked.Add(ref _rentedFloats, 1L << sizeClass);
        long peak;
        while (rented > (peak = Interlocked.Read(ref _peakFloats)) && Interlocked.CompareExchange(ref _peakFloats, rented, peak) != peak)
        {
        }

        return new WorkspaceBuffer(array, sizeClass, (int)floats);
    }

    internal static void Return(float[] array, int sizeClass)
    {
        Interlocked.Add(ref _rentedFloats, -(1L << sizeClass));

        // Kept only within the cap; past it the array is left to the collector.
        if (Interlocked.Add(ref _pooledFloats, 1L << sizeClass) <= PoolCapFloats)
        {
            Buckets[sizeClass].Add(array);
        }
        else
        {
            Interlocked.Add(ref _pooledFloats, -(1L << sizeClass));
        }
    }

    /// <summary>
    /// Releases the pooled arrays of every size class not rented since <paramref name="idleSince"/>
    /// (a <see cref="Environment.TickCount64"/>), or of every class when <paramref name="all"/>.
    /// </summary>
    internal static void Trim(long idleSince, bool all = false)
    {
        for (var sizeClass = MinimumClass; sizeClass <= MaximumClass; sizeClass++)
        {
            if (!all && Volatile.Read(ref LastRented[sizeClass]) >= idleSince)
            {
                continue;
            }

            while (Buckets[sizeClass].TryTake(out _))
            {
                Interlocked.Add(ref _pooledFloats, -(1L << sizeClass));
            }
        }
    }

    private static bool TrimAfterCollection()
    {
        var memory = GC.GetGCMemoryInfo();
        Trim(Environment.TickCount64 - IdleMilliseconds, all: memory.MemoryLoadBytes >= memory.HighMemoryLoadThresholdBytes);
        return true;
    }

    private static int SizeClass(long floats) =>
        Math.Max(MinimumClass, 64 - (int)long.LeadingZeroCount(floats - 1));
}
