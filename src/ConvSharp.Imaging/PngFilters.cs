using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging;

/// <summary>The five row filters of the PNG specification (section 9.2), by their number in the file.</summary>
internal enum PngFilter : byte
{
    None = 0,
    Sub = 1,
    Up = 2,
    Average = 3,
    Paeth = 4,
}

/// <summary>
/// PNG row filters for encoding. Every filter reads only raw bytes (this row's and the previous
/// row's), never its own output, so each byte is independent of its neighbours and the loops
/// run a <see cref="Vector{T}"/> at a time (32 bytes with AVX2, 16 with SSE or NEON); a row's
/// last bytes are a final vector that overlaps the one before (recomputing a byte gives the same
/// byte). Without hardware vectors (<c>DOTNET_EnableHWIntrinsic=0</c>), and for rows shorter than
/// a vector, the scalar loop runs. <see cref="Reference"/> is the plain transcription of the
/// specification the vector loops are tested against.
/// </summary>
internal static class PngFilters
{
    /// <summary>How many filter types there are.</summary>
    public const int Count = 5;

    /// <summary>
    /// Writes the row filtered by <paramref name="filter"/> into <paramref name="filtered"/> (as long
    /// as the row). <paramref name="prior"/> is the previous row's raw bytes (zeros above the first
    /// row); <paramref name="bpp"/> is bytes per pixel, the distance to the left neighbour.
    /// </summary>
    public static void Apply(PngFilter filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> filtered) =>
        Run(filter, row, prior, bpp, filtered, measure: false);

    /// <summary>
    /// <see cref="Apply"/>, and returns libpng's measure of how well the filtered row will compress:
    /// the sum of its bytes' magnitudes read as signed (0 and 255 cost little, 128 most).
    /// </summary>
    public static long ApplyAndCost(PngFilter filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> filtered) =>
        Run(filter, row, prior, bpp, filtered, measure: true);

    /// <summary>
    /// libpng's choice: every filter is tried and the one of least cost (<see cref="ApplyAndCost"/>)
    /// kept, the lowest-numbered on a tie. <paramref name="scratch"/> holds <see cref="Count"/> rows;
    /// the chosen filtered row is returned as a slice of it.
    /// </summary>
    public static PngFilter Choose(ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> scratch, out ReadOnlySpan<byte> filtered)
    {
        var n = row.Length;
        var (best, bestCost) = (PngFilter.None, long.MaxValue);
        for (var f = PngFilter.None; f <= PngFilter.Paeth; f++)
        {
            var cost = ApplyAndCost(f, row, prior, bpp, scratch.Slice((int)f * n, n));
            if (cost < bestCost)
            {
                (best, bestCost) = (f, cost);
            }
        }

        filtered = scratch.Slice((int)best * n, n);
        return best;
    }

    private static long Run(PngFilter filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> filtered, bool measure)
    {
        Check(row, prior, bpp, filtered);
        return filter switch
        {
            PngFilter.None => Run<NonePredictor>(row, prior, bpp, filtered, measure),
            PngFilter.Sub => Run<SubPredictor>(row, prior, bpp, filtered, measure),
            PngFilter.Up => Run<UpPredictor>(row, prior, bpp, filtered, measure),
            PngFilter.Average => Run<AveragePredictor>(row, prior, bpp, filtered, measure),
            PngFilter.Paeth => Run<PaethPredictor>(row, prior, bpp, filtered, measure),
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "PNG filters are 0 to 4"),
        };
    }

    /// <summary>The loop every filter shares, specialised per predictor (a struct, so its calls inline).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Run<TPredictor>(ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> filtered, bool measure)
        where TPredictor : struct, IPredictor
    {
        var n = row.Length;
        ref var x = ref MemoryMarshal.GetReference(row);
        ref var b = ref MemoryMarshal.GetReference(prior);
        ref var y = ref MemoryMarshal.GetReference(filtered);
        long cost = 0;

        // The first pixel's bytes have no left neighbour (a = c = 0): scalar, and the vectors start after them.
        var start = TPredictor.ReadsLeft ? Math.Min(bpp, n) : 0;
        var w = Vector<byte>.Count;
        if (!Vector.IsHardwareAccelerated || n - start < w)
        {
            for (var i = 0; i < n; i++)
            {
                var (a, c) = i >= bpp ? (row[i - bpp], prior[i - bpp]) : ((byte)0, (byte)0);
                var d = filtered[i] = (byte)(row[i] - TPredictor.Predict(a, prior[i], c));
                cost += measure ? Math.Abs((int)(sbyte)d) : 0;
            }

            return cost;
        }

        for (var i = 0; i < start; i++)
        {
            var d = filtered[i] = (byte)(row[i] - TPredictor.Predict(0, prior[i], 0));
            cost += measure ? Math.Abs((int)(sbyte)d) : 0;
        }

        var j = start;
        while (j <= n - w)
        {
            // 16-bit lanes hold 128 steps of two magnitudes of at most 128 each (32,768) before they are emptied.
            var lanes = Vector<ushort>.Zero;
            for (var end = Math.Min(n - w, j + (127 * w)); j <= end; j += w)
            {
                var d = Step<TPredictor>(ref x, ref b, ref y, j, bpp);
                if (measure)
                {
                    lanes += Widened(Magnitude(d));
                }
            }

            cost += measure ? Total(lanes) : 0;
        }

        if (j < n)
        {
            // The last bytes: one vector ending at the row's end, whose first lanes were done already.
            var d = Step<TPredictor>(ref x, ref b, ref y, n - w, bpp);
            if (measure)
            {
                var fresh = Vector.GreaterThanOrEqual(Vector<byte>.Indices, new Vector<byte>((byte)(j - (n - w))));
                cost += Total(Widened(Magnitude(d) & fresh));
            }
        }

        return cost;
    }

    /// <summary>Filters the vector of bytes at <paramref name="i"/> (at least bpp from the start).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<byte> Step<TPredictor>(ref byte x, ref byte b, ref byte y, int i, int bpp)
        where TPredictor : struct, IPredictor
    {
        var predicted = TPredictor.ReadsLeft
            ? TPredictor.Predict(Load(ref x, i - bpp), Load(ref b, i), Load(ref b, i - bpp))
            : TPredictor.Predict(Vector<byte>.Zero, Load(ref b, i), Vector<byte>.Zero);
        var d = Load(ref x, i) - predicted;
        Vector.StoreUnsafe(d, ref y, (nuint)i);
        return d;
    }

    /// <summary>|byte read as signed|: 0 to 128, as a byte (|−128| = 128 reads back right unsigned).</summary>
    private static Vector<byte> Magnitude(Vector<byte> d) => Vector.AsVectorByte(Vector.Abs(Vector.AsVectorSByte(d)));

    private static Vector<ushort> Widened(Vector<byte> v)
    {
        Vector.Widen(v, out var low, out var high);
        return low + high;
    }

    private static long Total(Vector<ushort> lanes)
    {
        Vector.Widen(lanes, out var low, out var high);
        return Vector.Sum(low + high);
    }

    private static Vector<byte> Load(ref byte source, int i) => Vector.LoadUnsafe(ref source, (nuint)i);

    /// <summary>The bounds the unchecked loads and stores rely on.</summary>
    private static void Check(ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> filtered)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bpp, 1);
        if (prior.Length < row.Length || filtered.Length < row.Length)
        {
            throw new ArgumentException($"a row of {row.Length} bytes needs a prior row and an output at least as long, not {prior.Length} and {filtered.Length}");
        }
    }

    /// <summary>A filter's prediction of each byte from its left (a), upper (b) and upper-left (c) neighbours, a byte and a vector at a time.</summary>
    private interface IPredictor
    {
        /// <summary>Whether it reads a and c, the previous pixel's bytes (not for None and Up).</summary>
        static abstract bool ReadsLeft { get; }

        static abstract int Predict(int a, int b, int c);

        static abstract Vector<byte> Predict(Vector<byte> a, Vector<byte> b, Vector<byte> c);
    }

    private readonly struct NonePredictor : IPredictor
    {
        public static bool ReadsLeft => false;

        public static int Predict(int a, int b, int c) => 0;

        public static Vector<byte> Predict(Vector<byte> a, Vector<byte> b, Vector<byte> c) => Vector<byte>.Zero;
    }

    private readonly struct SubPredictor : IPredictor
    {
        public static bool ReadsLeft => true;

        public static int Predict(int a, int b, int c) => a;

        public static Vector<byte> Predict(Vector<byte> a, Vector<byte> b, Vector<byte> c) => a;
    }

    private readonly struct UpPredictor : IPredictor
    {
        public static bool ReadsLeft => false;

        public static int Predict(int a, int b, int c) => b;

        public static Vector<byte> Predict(Vector<byte> a, Vector<byte> b, Vector<byte> c) => b;
    }

    private readonly struct AveragePredictor : IPredictor
    {
        public static bool ReadsLeft => true;

        public static int Predict(int a, int b, int c) => (a + b) >> 1;

        /// <summary>⌊(a + b) / 2⌋ without widening: the bits a and b share plus half of those they do not.</summary>
        public static Vector<byte> Predict(Vector<byte> a, Vector<byte> b, Vector<byte> c) =>
            (a & b) + (Vector.AsVectorByte(Vector.ShiftRightLogical(Vector.AsVectorUInt16(a ^ b), 1)) & new Vector<byte>(0x7F));
    }

    private readonly struct PaethPredictor : IPredictor
    {
        public static bool ReadsLeft => true;

        /// <summary>The distances of a + b − c to a, b and c, written without forming a + b − c.</summary>
        public static int Predict(int a, int b, int c)
        {
            int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - c - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }

        /// <summary>
        /// In bytes: pa = |b − c| and pb = |a − c| fit a byte; pc = |(b − c) + (a − c)| is pa + pb
        /// when the two differences share a sign (then it only matters that it is at least both, so
        /// it saturates at 255) and |pa − pb| otherwise.
        /// </summary>
        public static Vector<byte> Predict(Vector<byte> a, Vector<byte> b, Vector<byte> c)
        {
            var pa = Vector.Max(b, c) - Vector.Min(b, c);
            var pb = Vector.Max(a, c) - Vector.Min(a, c);
            var sum = pa + pb;
            var saturated = sum | Vector.LessThan(sum, pa);
            var differ = Vector.LessThan(b, c) ^ Vector.LessThan(a, c);
            var pc = Vector.ConditionalSelect(differ, Vector.Max(pa, pb) - Vector.Min(pa, pb), saturated);
            var takeA = Vector.LessThanOrEqual(pa, pb) & Vector.LessThanOrEqual(pa, pc);
            var takeB = Vector.LessThanOrEqual(pb, pc);
            return Vector.ConditionalSelect(takeA, a, Vector.ConditionalSelect(takeB, b, c));
        }
    }

    /// <summary>The specification's filters, one byte at a time: the oracle for the vector loops.</summary>
    internal static class Reference
    {
        public static void Apply(PngFilter filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> filtered)
        {
            Check(row, prior, bpp, filtered);
            for (var i = 0; i < row.Length; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
                filtered[i] = (byte)(row[i] - filter switch
                {
                    PngFilter.None => 0,
                    PngFilter.Sub => a,
                    PngFilter.Up => b,
                    PngFilter.Average => (a + b) / 2,
                    _ => Paeth(a, b, c),
                });
            }
        }

        public static long Cost(ReadOnlySpan<byte> filtered)
        {
            long sum = 0;
            foreach (var v in filtered)
            {
                sum += v < 128 ? v : 256 - v;
            }

            return sum;
        }

        /// <summary>The neighbour nearest to a + b − c, ties going to a, then b.</summary>
        public static int Paeth(int a, int b, int c)
        {
            var p = a + b - c;
            int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
