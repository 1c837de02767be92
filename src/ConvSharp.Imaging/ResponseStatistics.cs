using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging;

/// <summary>
/// What a display map needs to know of a whole response, gathered a band at a time: its minimum
/// and maximum, and the (1 − saturate) quantile of |v|, the scale of <see cref="DisplayMap.Abs"/>
/// and <see cref="DisplayMap.Signed"/>. The quantile is the very element a sort would pick, found
/// by radix selection in two passes (a histogram of the top 16 bits of |v|, whose bit patterns
/// order like the values, then of the low 16 bits inside the one bucket that holds it): linear
/// time and under 1 MB of counters, however large the response.
/// </summary>
/// <param name="count">values in the whole response</param>
/// <param name="saturate">the fraction of |v| allowed above the scale</param>
/// <param name="wantScale">whether the scale is wanted (abs, signed); without it the first pass keeps only the range</param>
internal sealed class ResponseStatistics(long count, double saturate, bool wantScale = true)
{
    /// <summary>Buckets of the coarse histogram: the top 16 bits of |v|, whose sign bit is 0.</summary>
    private const int CoarseBuckets = 1 << 15;

    /// <summary>Counts of one call's values, four histograms interleaved (see <see cref="CountCoarse"/>), kept per thread.</summary>
    [ThreadStatic]
    private static int[]? _partialCounts;

    private readonly long[] _coarse = new long[CoarseBuckets];
    private readonly long _rank = (long)Math.Floor((count - 1) * (1 - saturate));
    private long[]? _fine;
    private long _seen;
    private int _bucket = -1;
    private long _rankInBucket;

    /// <summary>The smallest value seen.</summary>
    public float Min { get; private set; } = float.PositiveInfinity;

    /// <summary>The largest value seen.</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>
    /// First pass: minimum, maximum and the coarse histogram. <paramref name="first"/> is the flat
    /// index of values[0] in the response, for the error that names a value that is not finite.
    /// </summary>
    public void Observe(ReadOnlySpan<float> values, long first = 0)
    {
        if (PixelLoops.FirstNonFinite(values) is var i and >= 0)
        {
            throw new ArgumentException(
                $"the response holds {values[i].ToString(CultureInfo.InvariantCulture)} at flat index {first + i}; only finite responses can be displayed");
        }

        var (min, max) = PixelLoops.MinMax(values);
        (Min, Max) = (Math.Min(Min, min), Math.Max(Max, max));
        if (wantScale)
        {
            CountCoarse(values);
        }

        _seen += values.Length;
    }

    /// <summary>
    /// Adds the values' top 16 bits of |v| to the coarse histogram. Neighbouring pixels mostly
    /// fall in one bucket, and incrementing one counter again and again waits on its own last
    /// store each time; four histograms, taking values in turn, keep four increments in flight,
    /// and are summed once at the end (in ints: one call holds at most an array's worth of values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountCoarse(ReadOnlySpan<float> values)
    {
        var partial = _partialCounts ??= new int[4 * CoarseBuckets];
        Array.Clear(partial);
        var i = 0;
        for (; i <= values.Length - 4; i += 4)
        {
            partial[Bits(values[i]) >> 16]++;
            partial[CoarseBuckets + (int)(Bits(values[i + 1]) >> 16)]++;
            partial[(2 * CoarseBuckets) + (int)(Bits(values[i + 2]) >> 16)]++;
            partial[(3 * CoarseBuckets) + (int)(Bits(values[i + 3]) >> 16)]++;
        }

        for (; i < values.Length; i++)
        {
            partial[Bits(values[i]) >> 16]++;
        }

        for (var b = 0; b < CoarseBuckets; b++)
        {
            _coarse[b] += (long)partial[b] + partial[CoarseBuckets + b] + partial[(2 * CoarseBuckets) + b] + partial[(3 * CoarseBuckets) + b];
        }
    }

    /// <summary>Second pass, over the same values in any order: the fine histogram of the bucket that holds the quantile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ObserveAgain(ReadOnlySpan<float> values)
    {
        var bucket = (uint)Bucket();
        var fine = _fine ??= new long[1 << 16];
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Few values lie in the quantile's bucket: whole vectors without one are passed over.
            var (magnitude, wanted) = (new Vector<uint>(0x7FFF_FFFF), new Vector<uint>(bucket));
            ref var xs = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(values));
            for (; i <= values.Length - Vector<uint>.Count; i += Vector<uint>.Count)
            {
                var top = Vector.ShiftRightLogical(Vector.LoadUnsafe(ref xs, (nuint)i) & magnitude, 16);
                if (Vector.EqualsAny(top, wanted))
                {
                    CountFine(values.Slice(i, Vector<uint>.Count), bucket, fine);
                }
            }
        }

        CountFine(values[i..], bucket, fine);
    }

    private static void CountFine(ReadOnlySpan<float> values, uint bucket, long[] fine)
    {
        foreach (var v in values)
        {
            var bits = Bits(v);
            if ((bits >> 16) == bucket)
            {
                fine[bits & 0xFFFF]++;
            }
        }
    }

    /// <summary>
    /// The scale: the (1 − saturate) quantile of |v| (the element at index ⌊(n − 1)(1 − saturate)⌋
    /// of the sorted magnitudes), or the largest |v| when that quantile is 0. Needs both passes.
    /// </summary>
    public float Scale()
    {
        var bucket = Bucket();
        var fine = _fine ?? throw new InvalidOperationException("the scale needs the second pass (ObserveAgain)");
        var remaining = _rankInBucket;
        for (var low = 0; low < fine.Length; low++)
        {
            if (remaining < fine[low])
            {
                var quantile = BitConverter.UInt32BitsToSingle(((uint)bucket << 16) | (uint)low);
                return quantile > 0 ? quantile : Math.Max(MathF.Abs(Min), MathF.Abs(Max));
            }

            remaining -= fine[low];
        }

        throw new InvalidOperationException($"the second pass saw fewer values than the first ({count} expected)");
    }

    /// <summary>The coarse bucket that holds the quantile, and the quantile's rank inside it.</summary>
    private int Bucket()
    {
        if (_bucket >= 0)
        {
            return _bucket;
        }

        if (!wantScale)
        {
            throw new InvalidOperationException("these statistics were gathered without the scale");
        }

        if (_seen != count)
        {
            throw new InvalidOperationException($"the first pass saw {_seen} values, but the response has {count}");
        }

        var below = 0L;
        for (var bucket = 0; bucket < _coarse.Length; bucket++)
        {
            if (_rank < below + _coarse[bucket])
            {
                (_bucket, _rankInBucket) = (bucket, _rank - below);
                return bucket;
            }

            below += _coarse[bucket];
        }

        throw new InvalidOperationException("the quantile's rank lies beyond the values seen");
    }

    /// <summary>The bits of |v|: for finite floats they order as the magnitudes do.</summary>
    private static uint Bits(float v) => BitConverter.SingleToUInt32Bits(v) & 0x7FFF_FFFF;
}
