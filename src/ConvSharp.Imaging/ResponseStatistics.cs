using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging;

/// <summary>
/// What a display map needs to know of a whole response, gathered a band at a time: its minimum
/// and maximum, and the (1 − saturate) quantile of |v|, the scale of <see cref="DisplayMap.Abs"/>
/// and <see cref="DisplayMap.Signed"/>. The quantile is the very element a sort would pick, found
/// by radix selection on the bit patterns of |v|, which order like the values: the first pass
/// counts their top 11 bits (exponent and 3 bits of mantissa: 2,048 buckets, small enough to stay
/// in the first-level cache), the second gathers the low 20 bits of the values in the one bucket
/// that holds the quantile, and the quantile is selected among those, 10 bits at a time. Linear
/// time; the memory is the gathered values, a few per cent of the response for a photograph, and
/// never more than <see cref="MaxGathered"/> of them: a bucket holding more (a response of
/// millions of equal values) is counted into a histogram of its 2^20 low patterns instead.
/// </summary>
/// <param name="count">values in the whole response</param>
/// <param name="saturate">the fraction of |v| allowed above the scale</param>
/// <param name="wantScale">whether the scale is wanted (abs, signed); without it the first pass keeps only the range</param>
/// <param name="maxGathered">values the second pass gathers at most (tests make it small)</param>
internal sealed class ResponseStatistics(long count, double saturate, bool wantScale = true, int maxGathered = ResponseStatistics.MaxGathered)
{
    /// <summary>Values the second pass gathers at most (16 MB); a bucket holding more is counted instead.</summary>
    public const int MaxGathered = 1 << 22;

    /// <summary>The bits below the coarse bucket: |v|'s pattern is bucket · 2^20 + low bits.</summary>
    private const int LowBits = 20;

    /// <summary>Buckets of the coarse histogram: the top 11 bits of |v|, whose sign bit is 0.</summary>
    private const int CoarseBuckets = 1 << (31 - LowBits);

    /// <summary>Counts of one call's values, four histograms interleaved (see <see cref="CountCoarse"/>), kept per thread.</summary>
    [ThreadStatic]
    private static int[]? _partialCounts;

    private readonly long[] _coarse = new long[CoarseBuckets];
    private readonly long _rank = (long)Math.Floor((count - 1) * (1 - saturate));
    private long _seen;
    private int _bucket = -1;
    private long _rankInBucket;

    /// <summary>The low bits of the values in the quantile's bucket, as the second pass met them; or null when <see cref="_fine"/> counts them.</summary>
    private uint[]? _gathered;
    private int _gatheredCount;

    /// <summary>The counts of the low bits in the quantile's bucket, for a bucket too full to gather.</summary>
    private long[]? _fine;

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
        RefuseNonFinite(values, first);
        var (min, max) = PixelLoops.MinMax(values);
        (Min, Max) = (Math.Min(Min, min), Math.Max(Max, max));
        if (wantScale)
        {
            CountCoarse(values);
        }

        _seen += values.Length;
    }

    /// <summary>Refuses a response holding NaN or ±∞, which no map can draw; <paramref name="first"/> is the flat index of values[0].</summary>
    public static void RefuseNonFinite(ReadOnlySpan<float> values, long first = 0)
    {
        if (PixelLoops.FirstNonFinite(values) is var i and >= 0)
        {
            throw new ArgumentException(
                $"the response holds {values[i].ToString(CultureInfo.InvariantCulture)} at flat index {first + i}; only finite responses can be displayed");
        }
    }

    /// <summary>
    /// Adds the values' top 11 bits of |v| to the coarse histogram. Neighbouring pixels mostly
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
            partial[Bits(values[i]) >> LowBits]++;
            partial[CoarseBuckets + (int)(Bits(values[i + 1]) >> LowBits)]++;
            partial[(2 * CoarseBuckets) + (int)(Bits(values[i + 2]) >> LowBits)]++;
            partial[(3 * CoarseBuckets) + (int)(Bits(values[i + 3]) >> LowBits)]++;
        }

        for (; i < values.Length; i++)
        {
            partial[Bits(values[i]) >> LowBits]++;
        }

        for (var b = 0; b < CoarseBuckets; b++)
        {
            _coarse[b] += (long)partial[b] + partial[CoarseBuckets + b] + partial[(2 * CoarseBuckets) + b] + partial[(3 * CoarseBuckets) + b];
        }
    }

    /// <summary>Second pass, over the same values in any order: the low bits of those in the bucket that holds the quantile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ObserveAgain(ReadOnlySpan<float> values)
    {
        var bucket = (uint)Bucket();
        if (_gathered is null && _fine is null)
        {
            var inBucket = _coarse[bucket];
            if (inBucket <= maxGathered)
            {
                _gathered = GC.AllocateUninitializedArray<uint>((int)inBucket);
            }
            else
            {
                _fine = new long[1 << LowBits];
            }
        }

        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Few values lie in the quantile's bucket: whole vectors without one are passed over.
            var (magnitude, wanted) = (new Vector<uint>(0x7FFF_FFFF), new Vector<uint>(bucket));
            ref var xs = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(values));
            for (; i <= values.Length - Vector<uint>.Count; i += Vector<uint>.Count)
            {
                var top = Vector.ShiftRightLogical(Vector.LoadUnsafe(ref xs, (nuint)i) & magnitude, LowBits);
                if (Vector.EqualsAny(top, wanted))
                {
                    TakeInBucket(values.Slice(i, Vector<uint>.Count), bucket);
                }
            }
        }

        TakeInBucket(values[i..], bucket);
    }

    private void TakeInBucket(ReadOnlySpan<float> values, uint bucket)
    {
        foreach (var v in values)
        {
            var bits = Bits(v);
            if ((bits >> LowBits) != bucket)
            {
                continue;
            }

            if (_gathered is { } gathered)
            {
                if (_gatheredCount == gathered.Length)
                {
                    throw new InvalidOperationException("the second pass saw more values in the quantile's bucket than the first");
                }

                gathered[_gatheredCount++] = bits & ((1u << LowBits) - 1);
            }
            else
            {
                _fine![bits & ((1 << LowBits) - 1)]++;
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
        uint low;
        if (_gathered is { } gathered)
        {
            if (_gatheredCount != gathered.Length)
            {
                throw new InvalidOperationException($"the second pass saw fewer values than the first ({count} expected)");
            }

            low = Select(gathered, _rankInBucket);
        }
        else
        {
            low = Select(_fine ?? throw new InvalidOperationException("the scale needs the second pass (ObserveAgain)"), _rankInBucket);
        }

        var quantile = BitConverter.UInt32BitsToSingle(((uint)bucket << LowBits) | low);
        return quantile > 0 ? quantile : Math.Max(MathF.Abs(Min), MathF.Abs(Max));
    }

    /// <summary>The element of rank <paramref name="rank"/> among 20-bit <paramref name="values"/>: its top 10 bits by counting, then its low 10 among those that share them.</summary>
    private static uint Select(uint[] values, long rank)
    {
        Span<long> counts = stackalloc long[1 << 10];
        foreach (var v in values)
        {
            counts[(int)(v >> 10)]++;
        }

        var high = Select(counts, ref rank);
        counts.Clear();
        foreach (var v in values)
        {
            if ((v >> 10) == high)
            {
                counts[(int)(v & 1023)]++;
            }
        }

        return (high << 10) | Select(counts, ref rank);
    }

    /// <summary>The pattern of rank <paramref name="rank"/> in a histogram of every 20-bit pattern.</summary>
    private static uint Select(long[] fine, long rank) => Select(fine.AsSpan(), ref rank);

    /// <summary>The index at which the running count passes <paramref name="rank"/>, which becomes the rank inside it.</summary>
    private static uint Select(ReadOnlySpan<long> counts, ref long rank)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            if (rank < counts[i])
            {
                return (uint)i;
            }

            rank -= counts[i];
        }

        throw new InvalidOperationException("the second pass saw fewer values than the first");
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
