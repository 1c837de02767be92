using System.Runtime.CompilerServices;
namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// A Huffman table as a JPEG file states it (a DHT segment): how many codes there are of each
/// length 1–16, and the symbols in order of their codes.
/// </summary>
/// <param name="Counts">Counts[k] codes of length k + 1, k = 0..15</param>
/// <param name="Symbols">the symbols, shortest codes first</param>
internal sealed record JpegHuffmanTable(byte[] Counts, byte[] Symbols);

/// <summary>
/// Optimal Huffman tables for the symbol counts of a picture, built as libjpeg's
/// <c>optimize_coding</c> builds them (ITU T.81 Annex K.2, with libjpeg's own choices), since
/// another optimal table would be a different file. Those choices: a pseudo-symbol 256 of count 1
/// joins the symbols, so that no real code is all ones; of equal counts the larger symbol is
/// merged first; a count above 10^9 is never picked (so that more symbols than that would leave
/// the code broken, which is refused here); lengths over 16 are folded back as K.2's figure K.3
/// does; symbols are listed by length, then by value.
/// </summary>
internal static class JpegHuffman
{
    /// <summary>The pseudo-symbol that reserves the all-ones code.</summary>
    private const int Reserved = 256;

    /// <summary>libjpeg's starting "largest count" in its search for the smallest: a count above it is never chosen.</summary>
    private const long Unreachable = 1_000_000_000;

    /// <summary>libjpeg's limit on a code length before folding; a longer code makes it refuse the picture.</summary>
    private const int MaxLength = 32;

    /// <summary>The table for <paramref name="counts"/> (256 symbols' counts; at least one nonzero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static JpegHuffmanTable Optimal(ReadOnlySpan<long> counts)
    {
        if (counts.Length != 256)
        {
            throw new ArgumentException($"Huffman counts are for 256 symbols, not {counts.Length}", nameof(counts));
        }

        Span<int> lengths = stackalloc int[Reserved + 1];
        CodeLengths(counts, lengths);
        Span<int> perLength = stackalloc int[MaxLength + 1];
        foreach (var length in lengths)
        {
            if (length > MaxLength)
            {
                throw new InvalidOperationException($"a Huffman code of {length} bits is longer than libjpeg's limit of {MaxLength}");
            }

            perLength[length]++;
        }

        // The symbols by length, then value (a counting sort), by the lengths before folding.
        Span<int> start = stackalloc int[MaxLength + 2];
        var present = 0;
        for (var s = 0; s < Reserved; s++)
        {
            if (lengths[s] != 0)
            {
                start[lengths[s] + 1]++;
                present++;
            }
        }

        for (var length = 1; length <= MaxLength; length++)
        {
            start[length + 1] += start[length];
        }

        var symbols = new byte[present];
        for (var s = 0; s < Reserved; s++)
        {
            if (lengths[s] != 0)
            {
                symbols[start[lengths[s]]++] = (byte)s;
            }
        }

        perLength[0] = 0;
        FoldTo16Bits(perLength);

        // The longest codes lose one: the reserved symbol's.
        var longest = 16;
        while (perLength[longest] == 0)
        {
            longest--;
        }

        perLength[longest]--;
        var table = new byte[16];
        for (var k = 0; k < 16; k++)
        {
            table[k] = (byte)perLength[k + 1];
        }

        return new JpegHuffmanTable(table, symbols);
    }

    /// <summary>
    /// Huffman's merging as libjpeg does it: the two least counts (c1 the least, each tie going to
    /// the larger symbol; c2 the next) merge into c1, and every symbol in either tree grows one
    /// bit. The trees are chains linked through <c>next</c>, c2's chain hung at the end of c1's.
    /// A heap ordered by count, then by larger symbol, yields the same c1 and c2 as libjpeg's
    /// linear scans; its keys are count · 512 + (256 − symbol).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CodeLengths(ReadOnlySpan<long> counts, Span<int> lengths)
    {
        Span<int> next = stackalloc int[Reserved + 1];
        next.Fill(-1);
        Span<long> heap = stackalloc long[Reserved + 1];
        var size = 0;
        for (var s = 0; s <= Reserved; s++)
        {
            var count = s == Reserved ? 1 : counts[s];
            if (count != 0)
            {
                Push(heap, ref size, Key(count, s));
            }
        }

        while (size >= 2)
        {
            var first = Pop(heap, ref size);
            var second = heap[0];
            if (first >> 9 > Unreachable || second >> 9 > Unreachable)
            {
                Push(heap, ref size, first);
                break;
            }

            Pop(heap, ref size);
            var (c1, c2) = (Symbol(first), Symbol(second));
            Push(heap, ref size, Key((first >> 9) + (second >> 9), c1));
            for (var s = c1; ; s = next[s])
            {
                lengths[s]++;
                if (next[s] < 0)
                {
                    next[s] = c2;
                    break;
                }
            }

            for (var s = c2; s >= 0; s = next[s])
            {
                lengths[s]++;
            }
        }

        if (size >= 2)
        {
            // Trees left unmerged: libjpeg would write their lengths as one code, which overfills it.
            var total = counts.ToArray().Sum();
            throw new InvalidOperationException(
                $"{total} symbols for one Huffman table: libjpeg's optimal tables go wrong beyond 10^9 (SkiaSharp's encoder wrote an undecodable file), so the picture is too large for a JPEG here");
        }
    }

    private static long Key(long count, int symbol) => (count << 9) | (long)(Reserved - symbol);

    private static int Symbol(long key) => Reserved - (int)(key & 511);

    private static void Push(Span<long> heap, ref int size, long key)
    {
        var i = size++;
        while (i > 0 && heap[(i - 1) / 2] > key)
        {
            heap[i] = heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }

        heap[i] = key;
    }

    private static long Pop(Span<long> heap, ref int size)
    {
        var top = heap[0];
        var last = heap[--size];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= size)
            {
                break;
            }

            if (child + 1 < size && heap[child + 1] < heap[child])
            {
                child++;
            }

            if (heap[child] >= last)
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        heap[i] = last;
        return top;
    }

    /// <summary>
    /// Annex K.2's adjustment (figure K.3): while codes longer than 16 bits remain, two of the
    /// longest are removed, one becomes a code a bit shorter, and a code of the next shorter
    /// length in use becomes the prefix of two codes one bit longer than itself.
    /// </summary>
    private static void FoldTo16Bits(Span<int> perLength)
    {
        for (var i = MaxLength; i > 16; i--)
        {
            while (perLength[i] > 0)
            {
                var j = i - 2;
                while (perLength[j] == 0)
                {
                    j--;
                }

                perLength[i] -= 2;
                perLength[i - 1]++;
                perLength[j + 1] += 2;
                perLength[j]--;
            }
        }
    }

    /// <summary>
    /// The canonical codes of a table (Annex C): codes of each length count up from the last code
    /// of the shorter length, doubled. Writes each symbol's code and length (0 for symbols absent).
    /// </summary>
    public static void Codes(JpegHuffmanTable table, Span<uint> codes, Span<byte> lengths)
    {
        codes.Clear();
        lengths.Clear();
        var code = 0u;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            for (var i = 0; i < table.Counts[length - 1]; i++)
            {
                var symbol = table.Symbols[k++];
                codes[symbol] = code++;
                lengths[symbol] = (byte)length;
            }

            code <<= 1;
        }
    }
}
