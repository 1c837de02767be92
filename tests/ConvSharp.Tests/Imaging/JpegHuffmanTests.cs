using ConvSharp.Imaging.Jpeg;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The optimal Huffman tables and the quantisation tables. The tables are built with a heap;
/// libjpeg builds them with two linear scans per merge, as ITU T.81 Annex K.2 draws it: the
/// scans are written out here, independently, and both must give the same table (the file's
/// bytes depend on every tie). Then the table's promises: no code over 16 bits, none all ones,
/// prefix-free, every counted symbol present once.
/// </summary>
public class JpegHuffmanTests
{
    public static TheoryData<string> CountKinds() => ["sparse", "dense", "ties", "zipf", "fibonacci", "one symbol", "two symbols", "large"];

    [Theory]
    [MemberData(nameof(CountKinds))]
    public void Tables_are_libjpegs_and_keep_their_promises(string kind)
    {
        var rng = new Random(kind.Length * 31);
        for (var trial = 0; trial < 60; trial++)
        {
            var counts = Counts(kind, rng, trial);
            var table = JpegHuffman.Optimal(counts);
            var expected = LiteralAnnexK2(counts);
            Assert.Equal(expected.Counts, table.Counts);
            Assert.Equal(expected.Symbols, table.Symbols);

            var used = Enumerable.Range(0, 256).Where(s => counts[s] != 0).Select(s => (byte)s).Order();
            Assert.Equal(used, table.Symbols.Order());
            Assert.Equal(table.Symbols.Length, table.Counts.Sum(c => c));

            var codes = new uint[256];
            var lengths = new byte[256];
            JpegHuffman.Codes(table, codes, lengths);
            var longest = Array.FindLastIndex(table.Counts, c => c != 0) + 1;
            Assert.InRange(longest, 1, 16);
            // Kraft: the codes fill the code space but for one code of the longest length, the all-ones one.
            Assert.Equal((1L << 16) - (1L << (16 - longest)), table.Symbols.Sum(s => 1L << (16 - lengths[s])));
            foreach (var s in table.Symbols)
            {
                Assert.NotEqual((1u << lengths[s]) - 1, codes[s]);
                foreach (var t in table.Symbols.Where(t => t != s && lengths[t] >= lengths[s]))
                {
                    Assert.NotEqual(codes[s], codes[t] >> (lengths[t] - lengths[s])); // no code is a prefix of another
                }
            }
        }
    }

    /// <summary>Counts that grow as Fibonacci numbers (from 1, 2) make a pure Huffman code 30 bits deep; Annex K.2's folding brings it to 16.</summary>
    [Fact]
    public void Codes_deeper_than_16_bits_are_folded_to_16()
    {
        var counts = new long[256];
        (long a, long b) = (1, 2);
        for (var s = 0; s < 30; s++)
        {
            counts[s] = a;
            (a, b) = (b, a + b);
        }

        var table = JpegHuffman.Optimal(counts);
        Assert.Equal(16, Array.FindLastIndex(table.Counts, c => c != 0) + 1);
        Assert.Equal(LiteralAnnexK2(counts).Counts, table.Counts);
    }

    /// <summary>
    /// libjpeg never picks a count above 10^9, so symbols totalling more leave its merging with
    /// several trees and a table whose codes overfill the code space: a file no decoder reads
    /// (SkiaSharp's encoder wrote one). ConvSharp refuses instead; a picture needs over 15 million
    /// blocks for it.
    /// </summary>
    [Fact]
    public void More_symbols_than_libjpeg_can_count_are_refused_not_written()
    {
        // Two of the three merge into 1.8 · 10^9, which the third (merged with the reserved symbol) can no longer join.
        var counts = new long[256];
        counts[0] = counts[1] = counts[2] = 900_000_000;
        var e = Assert.Throws<InvalidOperationException>(() => JpegHuffman.Optimal(counts));
        Assert.Contains("2700000000", e.Message, StringComparison.Ordinal);
        var broken = LiteralAnnexK2(counts);
        Assert.True(broken.Counts.Select((c, k) => c * Math.Pow(2, -(k + 1))).Sum() > 1, "libjpeg's table fits the code space after all");

        (counts[0], counts[1], counts[2]) = (400_000_000, 400_000_000, 100_000_000); // every merge within 10^9: a table
        Assert.Equal(LiteralAnnexK2(counts).Counts, JpegHuffman.Optimal(counts).Counts);
    }

    /// <summary>
    /// libjpeg refuses a code longer than 32 bits before it folds (SkiaSharp's encoder then wrote
    /// nothing); Fibonacci counts (from 1, 2) over 40 symbols make one 40 bits deep. ConvSharp
    /// refuses too. Real pictures are nowhere near: such a code needs millions of symbols in
    /// exactly that proportion.
    /// </summary>
    [Fact]
    public void A_code_deeper_than_libjpegs_32_bits_is_refused()
    {
        var counts = new long[256];
        (long a, long b) = (1, 2);
        for (var s = 0; s < 40; s++)
        {
            counts[s] = a;
            (a, b) = (b, a + b);
        }

        var e = Assert.Throws<InvalidOperationException>(() => JpegHuffman.Optimal(counts));
        Assert.Contains("32", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Annex K.3's luminance DC table (table K.3) gets the codes the standard lists for it.</summary>
    [Fact]
    public void Codes_are_assigned_canonically_as_Annex_C_does()
    {
        var table = new JpegHuffmanTable([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        var codes = new uint[256];
        var lengths = new byte[256];
        JpegHuffman.Codes(table, codes, lengths);
        string[] listed = ["00", "010", "011", "100", "101", "110", "1110", "11110", "111110", "1111110", "11111110", "111111110"];
        for (var s = 0; s < 12; s++)
        {
            Assert.Equal(listed[s], Convert.ToString(codes[s], 2).PadLeft(lengths[s], '0'));
        }

        Assert.All(lengths[12..], l => Assert.Equal(0, l));
    }

    [Fact]
    public void Quality_scales_the_Annex_K_tables_as_libjpeg_does()
    {
        Assert.Equal(5000, JpegTables.Scaling(1));
        Assert.Equal(102, JpegTables.Scaling(49));
        Assert.Equal(100, JpegTables.Scaling(50));
        Assert.Equal(98, JpegTables.Scaling(51));
        Assert.Equal(10, JpegTables.Scaling(95));
        Assert.Equal(0, JpegTables.Scaling(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegTables.Scaling(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegTables.Scaling(101));

        // Quality 50 is Annex K as printed (K.1 and K.2); 100 is all ones; 1 is all 255 (clamped for baseline).
        var luma = JpegTables.Quantisation(50, chroma: false);
        var chroma = JpegTables.Quantisation(50, chroma: true);
        Assert.Equal([16, 11, 10, 16, 24, 40, 51, 61], luma[..8]);
        Assert.Equal([72, 92, 95, 98, 112, 100, 103, 99], luma[56..]);
        Assert.Equal([17, 18, 24, 47, 99, 99, 99, 99], chroma[..8]);
        Assert.All(chroma[32..], q => Assert.Equal(99, q));
        Assert.All(JpegTables.Quantisation(100, chroma: false), q => Assert.Equal(1, q));
        Assert.All(JpegTables.Quantisation(1, chroma: true), q => Assert.Equal(255, q));
        // Quality 95 (scale 10): (16 · 10 + 50) / 100 = 2, (11 · 10 + 50) / 100 = 1.
        Assert.Equal([2, 1, 1, 2, 2, 4, 5, 6], JpegTables.Quantisation(95, chroma: false)[..8]);
    }

    [Fact]
    public void The_zigzag_order_visits_every_coefficient_once_along_antidiagonals()
    {
        var order = JpegTables.ZigzagToNatural.ToArray();
        Assert.Equal(Enumerable.Range(0, 64), order.Select(b => (int)b).Order());
        for (var k = 1; k < 64; k++)
        {
            var (previous, next) = ((order[k - 1] / 8) + (order[k - 1] % 8), (order[k] / 8) + (order[k] % 8));
            Assert.True(previous <= next, $"zigzag position {k} goes back to an earlier antidiagonal");
        }
    }

    private static long[] Counts(string kind, Random rng, int trial)
    {
        var counts = new long[256];
        switch (kind)
        {
            case "sparse":
                for (var i = 0; i < 1 + (trial % 12); i++)
                {
                    counts[rng.Next(256)] += rng.Next(1, 1000);
                }

                break;
            case "dense":
                for (var s = 0; s < 256; s++)
                {
                    counts[s] = rng.Next(4) == 0 ? 0 : rng.Next(1, 100_000);
                }

                break;
            case "ties":
                for (var s = 0; s < 256; s++)
                {
                    counts[s] = rng.Next(3) == 0 ? 0 : 1 << rng.Next(4);
                }

                break;
            case "zipf":
                for (var s = 0; s < 256; s++)
                {
                    counts[s] = rng.Next(5) == 0 ? 0 : 1_000_000 / (1 + rng.Next(256));
                }

                break;
            case "fibonacci":
                (long a, long b) = (1, 1 + (trial % 3));
                // Up to 31 symbols: codes up to 31 bits deep before folding, within libjpeg's 32.
                foreach (var s in Enumerable.Range(0, 256).OrderBy(_ => rng.Next()).Take(10 + (trial % 22)))
                {
                    counts[s] = a;
                    (a, b) = (b, a + b);
                }

                break;
            case "one symbol":
                counts[rng.Next(256)] = rng.Next(1, 10);
                break;
            case "two symbols":
                counts[rng.Next(128)] = rng.Next(1, 10);
                counts[128 + rng.Next(128)] = rng.Next(1, 10);
                break;
            default:
                // Large counts whose total stays within libjpeg's 10^9.
                for (var s = 0; s < 40; s++)
                {
                    counts[rng.Next(256)] += rng.Next(1, 24_000_000);
                }

                break;
        }

        return counts;
    }

    /// <summary>
    /// libjpeg's procedure as Annex K.2 draws it, written out plainly: find the least count (ties
    /// to the larger symbol), then the next least, both at most 10^9; merge; lengthen every code of
    /// both trees; fold codes over 16 bits; drop the reserved symbol 256's code; list the symbols
    /// by length, then value.
    /// </summary>
    private static JpegHuffmanTable LiteralAnnexK2(long[] counts)
    {
        var freq = new long[257];
        counts.CopyTo(freq, 0);
        freq[256] = 1;
        var size = new int[257];
        var others = Enumerable.Repeat(-1, 257).ToArray();
        while (true)
        {
            int c1 = -1, c2 = -1;
            long v = 1_000_000_000;
            for (var i = 0; i <= 256; i++)
            {
                if (freq[i] != 0 && freq[i] <= v)
                {
                    (v, c1) = (freq[i], i);
                }
            }

            v = 1_000_000_000;
            for (var i = 0; i <= 256; i++)
            {
                if (freq[i] != 0 && freq[i] <= v && i != c1)
                {
                    (v, c2) = (freq[i], i);
                }
            }

            if (c2 < 0)
            {
                break;
            }

            freq[c1] += freq[c2];
            freq[c2] = 0;
            size[c1]++;
            while (others[c1] >= 0)
            {
                c1 = others[c1];
                size[c1]++;
            }

            others[c1] = c2;
            size[c2]++;
            while (others[c2] >= 0)
            {
                c2 = others[c2];
                size[c2]++;
            }
        }

        var bits = new int[33];
        foreach (var s in size.Where(s => s != 0))
        {
            bits[s]++;
        }

        for (var i = 32; i > 16; i--)
        {
            while (bits[i] > 0)
            {
                var j = i - 2;
                while (bits[j] == 0)
                {
                    j--;
                }

                bits[i] -= 2;
                bits[i - 1]++;
                bits[j + 1] += 2;
                bits[j]--;
            }
        }

        var longest = 16;
        while (bits[longest] == 0)
        {
            longest--;
        }

        bits[longest]--;
        var symbols = Enumerable.Range(1, 32).SelectMany(length => Enumerable.Range(0, 256).Where(s => size[s] == length)).Select(s => (byte)s).ToArray();
        return new JpegHuffmanTable([.. bits[1..17].Select(b => (byte)b)], symbols);
    }
}
