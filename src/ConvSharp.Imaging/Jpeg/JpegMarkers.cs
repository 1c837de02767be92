namespace ConvSharp.Imaging.Jpeg;

/// <summary>A component of the frame: its identifier, sampling factors, and tables.</summary>
/// <param name="Id">1 for Y (or gray), 2 for Cb, 3 for Cr, as libjpeg numbers them</param>
/// <param name="Sampling">horizontal factor · 16 + vertical factor (0x22 for Y beside 4:2:0 chroma, else 0x11)</param>
/// <param name="Table">the quantisation table and the pair of Huffman tables it uses, 0 or 1</param>
internal readonly record struct JpegComponent(byte Id, byte Sampling, byte Table);

/// <summary>
/// The marker segments of a baseline JFIF file in the order libjpeg writes them (ITU T.81 annex B
/// and the JFIF specification): SOI; APP0 "JFIF" version 1.01, no units, 1:1 density, no thumbnail; one DQT segment
/// per quantisation table, entries in zigzag order; SOF0; one DHT segment per Huffman table, each
/// component's DC table then its AC table, a table shared by two components written once; SOS
/// over all components; and, after the coded data, EOI.
/// </summary>
internal static class JpegMarkers
{
    public static ReadOnlySpan<byte> EndOfImage => [0xFF, 0xD9];

    private static ReadOnlySpan<byte> StartAndJfif =>
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ];

    /// <summary>Everything before the coded data.</summary>
    /// <param name="width">1 to 65500</param>
    /// <param name="height">1 to 65500</param>
    /// <param name="components">the frame's components, in scan order</param>
    /// <param name="quantisation">the quantisation tables by number, natural order</param>
    /// <param name="dc">the DC Huffman tables by number</param>
    /// <param name="ac">the AC Huffman tables by number</param>
    public static byte[] Header(int width, int height, IReadOnlyList<JpegComponent> components, IReadOnlyList<byte[]> quantisation,
        IReadOnlyList<JpegHuffmanTable> dc, IReadOnlyList<JpegHuffmanTable> ac)
    {
        var header = new List<byte>(1024);
        header.AddRange(StartAndJfif);

        var written = new HashSet<int>();
        foreach (var component in components)
        {
            if (written.Add(component.Table))
            {
                var table = quantisation[component.Table];
                Segment(header, 0xDB, 1 + 64);
                header.Add(component.Table); // 8-bit entries
                foreach (var natural in JpegTables.ZigzagToNatural)
                {
                    header.Add(table[natural]);
                }
            }
        }

        Segment(header, 0xC0, 6 + (3 * components.Count));
        header.Add(8); // bits per sample
        BigEndian(header, height);
        BigEndian(header, width);
        header.Add((byte)components.Count);
        foreach (var component in components)
        {
            header.AddRange([component.Id, component.Sampling, component.Table]);
        }

        written.Clear();
        foreach (var component in components)
        {
            if (written.Add(component.Table))
            {
                HuffmanSegment(header, 0x00 | component.Table, dc[component.Table]);
                HuffmanSegment(header, 0x10 | component.Table, ac[component.Table]);
            }
        }

        Segment(header, 0xDA, 1 + (2 * components.Count) + 3);
        header.Add((byte)components.Count);
        foreach (var component in components)
        {
            header.AddRange([component.Id, (byte)((component.Table << 4) | component.Table)]);
        }

        header.AddRange([0, 63, 0]); // spectral selection 0–63, no successive approximation
        return [.. header];
    }

    /// <summary>DHT: the table class (0 DC, 1 AC) · 16 + its number, the 16 counts, the symbols.</summary>
    private static void HuffmanSegment(List<byte> header, int classAndNumber, JpegHuffmanTable table)
    {
        Segment(header, 0xC4, 1 + 16 + table.Symbols.Length);
        header.Add((byte)classAndNumber);
        header.AddRange(table.Counts);
        header.AddRange(table.Symbols);
    }

    /// <summary>A marker and the length of its segment (which counts its own two bytes).</summary>
    private static void Segment(List<byte> header, byte marker, int dataLength)
    {
        header.AddRange([0xFF, marker]);
        BigEndian(header, 2 + dataLength);
    }

    private static void BigEndian(List<byte> header, int value) => header.AddRange([(byte)(value >> 8), (byte)value]);
}
