using System.Runtime.CompilerServices;
namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// A Huffman table of a DHT segment, built as T.81 annex C builds its codes (sizes, then
/// consecutive codes per size): a table of the first <see cref="LookupBits"/> bits for the short
/// codes and the largest code of each size for the rest (annex F.2.2.3).
/// </summary>
internal sealed class JpegDecoderHuffmanTable
{
    /// <summary>Bits looked up at once: nearly every code of a photo, even at high quality, is this short (a 4 KB table).</summary>
    public const int LookupBits = 11;

    /// <summary>For the next <see cref="LookupBits"/> bits: code size · 256 + symbol, or 0 if the code is longer.</summary>
    public readonly ushort[] Lookup = new ushort[1 << LookupBits];

    /// <summary>
    /// For an AC table, the next <see cref="LookupBits"/> bits decoded whole where they hold a
    /// coefficient's code and its value bits both: value · 256 + run · 16 + bits used; 0 otherwise.
    /// </summary>
    public int[] FastAc = [];

    /// <summary>Largest code of each size 1–16 (−1 where there is none); index 17 ends the search.</summary>
    public readonly int[] MaxCode = new int[18];

    /// <summary>For each size, the index in <see cref="Symbols"/> of its first code minus that code.</summary>
    public readonly int[] Offset = new int[17];

    public byte[] Symbols = [];

    /// <summary>Whether the table was defined as a DC table (its symbols are at most 15).</summary>
    public bool IsDc;

    /// <summary>The table, or null where libjpeg would refuse it (codes that overflow their size, a DC symbol above 15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static JpegDecoderHuffmanTable? TryBuild(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols, bool isDc)
    {
        if (isDc)
        {
            foreach (var s in symbols)
            {
                if (s > 15)
                {
                    return null;
                }
            }
        }

        var table = new JpegDecoderHuffmanTable { Symbols = symbols.ToArray(), IsDc = isDc };
        int code = 0, index = 0;
        for (var size = 1; size <= 16; size++)
        {
            var n = counts[size - 1];
            table.Offset[size] = index - code;
            for (var i = 0; i < n; i++, code++, index++)
            {
                if (code >= (1 << size) - 1) // libjpeg's check: no code may be all ones
                {
                    return null;
                }

                if (size <= LookupBits)
                {
                    // Every lookup index that starts with this code.
                    var shift = LookupBits - size;
                    for (var j = code << shift; j < (code + 1) << shift; j++)
                    {
                        table.Lookup[j] = (ushort)((size << 8) | symbols[index]);
                    }
                }
            }

            table.MaxCode[size] = n == 0 ? -1 : code - 1;
            code <<= 1;
        }

        table.MaxCode[17] = int.MaxValue;
        if (!isDc)
        {
            table.FastAc = new int[1 << LookupBits];
            for (var i = 0; i < table.FastAc.Length; i++)
            {
                var look = table.Lookup[i];
                int length = look >> 8, run = (look >> 4) & 15, size = look & 15;
                if (look != 0 && size != 0 && length + size <= LookupBits)
                {
                    // The value bits follow the code: T.81's EXTEND of them.
                    var bits = (i >> (LookupBits - length - size)) & ((1 << size) - 1);
                    var value = bits < (1 << (size - 1)) ? bits - (1 << size) + 1 : bits;
                    table.FastAc[i] = (value * 256) + (run * 16) + length + size;
                }
            }
        }

        return table;
    }
}
