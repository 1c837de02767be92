using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// The quantised blocks of one scan between libjpeg's two passes. The first pass
/// (<see cref="Add"/>) counts the Huffman symbols each block will need, which is all the
/// optimal tables depend on, and keeps what the second pass (<see cref="Emit"/>) writes: each
/// block as its zigzag nonzero mask, its DC difference and its nonzero AC values in zigzag order,
/// in pooled chunks of shorts (a block never straddles two). A picture's blocks are thus held in
/// at most the 128 bytes a block that libjpeg keeps between the passes, usually far less, and the
/// second pass runs over the nonzero values alone, their zero runs read off the mask.
/// </summary>
internal sealed class JpegScan : IDisposable
{
    /// <summary>Shorts per chunk (128 KiB).</summary>
    private const int ChunkLength = 1 << 16;

    /// <summary>A block's record at most: the mask (4 shorts), the DC difference, 63 AC values.</summary>
    private const int LargestRecord = 4 + 1 + 63;

    /// <summary>The room a block's coded bytes can take: 64 codes of at most 27 bits, each byte possibly stuffed, and a word.</summary>
    private const int LargestBlockBytes = (2 * 64 * 27 / 8) + 16;

    private static readonly ulong[] ZigzagBits = ZigzagMasks();

    private readonly List<(short[] Chunk, int Used)> _full = [];
    private readonly byte[] _tableOf;
    private readonly int[] _lastDc;
    private short[] _chunk = ArrayPool<short>.Shared.Rent(ChunkLength);
    private int _used;

    /// <param name="tableOf">each component's pair of Huffman tables: 0 for Y (or gray), 1 for Cb and Cr</param>
    public JpegScan(ReadOnlySpan<byte> tableOf)
    {
        _tableOf = tableOf.ToArray();
        _lastDc = new int[tableOf.Length];
    }

    /// <summary>The DC symbols' counts, 256 per table (only 0–11 occur).</summary>
    public long[] DcCounts { get; } = new long[2 * 256];

    /// <summary>The AC symbols' counts, 256 per table: (zero run) · 16 + bits, 0xF0 a run of 16, 0x00 the end of a block.</summary>
    public long[] AcCounts { get; } = new long[2 * 256];

    /// <summary>
    /// Counts and keeps a block of <paramref name="component"/>: 64 quantised coefficients in natural
    /// order and their nonzero bits (as <see cref="JpegForwardDct.Transform"/> returns them).
    /// Returns its DC coefficient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Add(ReadOnlySpan<int> coefficients, ulong nonzero, int component)
    {
        if (coefficients.Length < 64)
        {
            throw new ArgumentException($"a block has 64 coefficients, not {coefficients.Length}", nameof(coefficients));
        }

        var table = _tableOf[component];
        var dc = coefficients[0];
        var mask = Zigzag(nonzero) & ~1UL;
        var record = Reserve(5 + BitOperations.PopCount(mask));
        StartRecord(record, mask, dc, component, table);

        // The AC symbols: for each nonzero value, the zero run before it (16 at a time as 0xF0) and its size in bits.
        ref var ac = ref AcCounts[256 * table];
        ref var zigzag = ref MemoryMarshal.GetReference(JpegTables.ZigzagToNatural);
        ref var value = ref MemoryMarshal.GetReference(coefficients);
        ref var kept = ref Unsafe.Add(ref MemoryMarshal.GetReference(record), 5);
        var last = 0;
        while (mask != 0)
        {
            var k = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            var v = Unsafe.Add(ref value, Unsafe.Add(ref zigzag, k));
            var run = k - last - 1;
            last = k;
            if (run > 15)
            {
                Unsafe.Add(ref ac, 0xF0) += run >> 4;
                run &= 15;
            }

            Unsafe.Add(ref ac, (run << 4) | Size(v))++;
            kept = (short)v;
            kept = ref Unsafe.Add(ref kept, 1);
        }

        if (last != 63)
        {
            ac++; // end of block
        }

        return dc;
    }

    /// <summary>
    /// Counts and keeps one of libjpeg's dummy blocks, which fill an MCU where the picture has no
    /// block: no AC coefficients and the DC coefficient of a neighbour, <paramref name="dc"/>.
    /// </summary>
    public void AddDummy(int dc, int component)
    {
        var table = _tableOf[component];
        StartRecord(Reserve(5), 0, dc, component, table);
        AcCounts[256 * table]++; // end of block at once
    }

    private void StartRecord(Span<short> record, ulong mask, int dc, int component, int table)
    {
        MemoryMarshal.Write(MemoryMarshal.AsBytes(record), mask);
        var difference = dc - _lastDc[component];
        _lastDc[component] = dc;
        record[4] = (short)difference;
        DcCounts[(256 * table) + Size(difference)]++;
    }

    /// <summary>Room for a record of <paramref name="length"/> shorts, in this chunk or a fresh one.</summary>
    private Span<short> Reserve(int length)
    {
        if (_used + length > _chunk.Length)
        {
            _full.Add((_chunk, _used));
            _chunk = ArrayPool<short>.Shared.Rent(ChunkLength);
            _used = 0;
        }

        var record = _chunk.AsSpan(_used, length);
        _used += length;
        return record;
    }

    /// <summary>
    /// The second pass: the kept blocks' codes, in the order they were added. Block i belongs to
    /// component <paramref name="order"/>[i mod its length] (an MCU's blocks); each table's codes
    /// and lengths are those of <see cref="JpegHuffman.Codes"/>, 256 per table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Emit(ref JpegBitWriter writer, ReadOnlySpan<byte> order, JpegCodes dc, JpegCodes ac)
    {
        var b = 0;
        foreach (var (chunk, used) in (List<(short[], int)>)[.. _full, (_chunk, _used)])
        {
            var at = 0;
            while (at < used)
            {
                writer.EnsureRoom(LargestBlockBytes);
                var table = 256 * _tableOf[order[b]];
                b = b + 1 == order.Length ? 0 : b + 1;
                var mask = MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(chunk.AsSpan(at, 4)));
                int difference = chunk[at + 4];
                at += 5;
                var size = Size(difference);
                writer.Put((dc.Code(table + size) << size) | Extra(difference, size), dc.Length(table + size) + size);

                var last = 0;
                while (mask != 0)
                {
                    var k = BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    var run = k - last - 1;
                    last = k;
                    while (run > 15)
                    {
                        writer.Put(ac.Code(table + 0xF0), ac.Length(table + 0xF0));
                        run -= 16;
                    }

                    int v = chunk[at++];
                    size = Size(v);
                    var symbol = table + ((run << 4) | size);
                    writer.Put((ac.Code(symbol) << size) | Extra(v, size), ac.Length(symbol) + size);
                }

                if (last != 63)
                {
                    writer.Put(ac.Code(table), ac.Length(table));
                }
            }
        }
    }

    /// <summary>The bits of |v| (0 for 0): the size category of T.81 F.1.2.1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Size(int v) => 32 - BitOperations.LeadingZeroCount((uint)Math.Abs(v));

    /// <summary>The <paramref name="size"/> bits that follow a value's code: v itself if positive, v − 1 (its ones' complement) if negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Extra(int v, int size) => (uint)(v + (v >> 31)) & ((1u << size) - 1);

    /// <summary>Natural-order nonzero bits to zigzag order, a byte (block row) at a time through <see cref="ZigzagBits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Zigzag(ulong natural)
    {
        ref var table = ref MemoryMarshal.GetArrayDataReference(ZigzagBits);
        ulong zigzag = 0;
        for (var row = 0; row < 8; row++)
        {
            zigzag |= Unsafe.Add(ref table, (row << 8) | (int)((natural >> (8 * row)) & 0xFF));
        }

        return zigzag;
    }

    /// <summary>For each block row and each byte of its nonzero bits, those bits at their zigzag positions.</summary>
    private static ulong[] ZigzagMasks()
    {
        Span<int> zigzagOf = stackalloc int[64];
        for (var k = 0; k < 64; k++)
        {
            zigzagOf[JpegTables.ZigzagToNatural[k]] = k;
        }

        var masks = new ulong[8 * 256];
        for (var row = 0; row < 8; row++)
        {
            for (var bits = 0; bits < 256; bits++)
            {
                for (var column = 0; column < 8; column++)
                {
                    masks[(row << 8) | bits] |= ((bits >> column) & 1) != 0 ? 1UL << zigzagOf[(8 * row) + column] : 0;
                }
            }
        }

        return masks;
    }

    public void Dispose()
    {
        foreach (var (chunk, _) in _full)
        {
            ArrayPool<short>.Shared.Return(chunk);
        }

        _full.Clear();
        ArrayPool<short>.Shared.Return(_chunk);
        _chunk = [];
    }
}

/// <summary>Huffman codes and their lengths for a few tables of 256 symbols each, side by side.</summary>
internal sealed class JpegCodes
{
    private readonly uint[] _codes;
    private readonly byte[] _lengths;

    public JpegCodes(IReadOnlyList<JpegHuffmanTable> tables)
    {
        _codes = new uint[256 * tables.Count];
        _lengths = new byte[256 * tables.Count];
        for (var t = 0; t < tables.Count; t++)
        {
            JpegHuffman.Codes(tables[t], _codes.AsSpan(256 * t, 256), _lengths.AsSpan(256 * t, 256));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Code(int symbol) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), symbol);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Length(int symbol) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_lengths), symbol);
}
