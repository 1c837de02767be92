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
/// each value already split as the coder needs it (<see cref="Packed"/>), in pooled chunks of
/// shorts (a block never straddles two). A block thus takes 10 bytes and 2
/// a nonzero value, at most 136 against the 128 that libjpeg keeps between the passes and usually
/// far less, and the second pass runs over the nonzero values alone, their zero runs read off the mask.
/// </summary>
internal sealed class JpegScan : IDisposable
{
    /// <summary>Shorts per chunk (128 KiB).</summary>
    private const int ChunkLength = 1 << 16;

    /// <summary>
    /// The room a block's coded bytes can take: at most 1665 bits (a DC code and value of 27 bits,
    /// 63 AC codes and values of 26; no end of block then, and runs of 16 only beside fewer values)
    /// on top of up to 63 pending, so 27 words of 8 bytes, each byte possibly stuffed.
    /// </summary>
    private const int LargestBlockBytes = 27 * 16;

    private static readonly ulong[] ZigzagBits = ZigzagMasks();

    private readonly List<(short[] Chunk, int Used)> _full = [];
    private readonly byte[] _tableOf;
    private readonly int[] _lastDc;
    /// <summary>
    /// The AC symbols' counts as two histograms per table, one for values at even zigzag positions
    /// and one for odd (with ends of blocks and runs of 16), so that neighbouring values of the same
    /// symbol, common, do not wait on each other's increment; <see cref="AcCounts"/> adds them up.
    /// </summary>
    private readonly long[] _acCounts = new long[2 * 2 * 256];
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

    /// <summary>The AC symbols' counts of <paramref name="table"/>: (zero run) · 16 + bits, 0xF0 a run of 16, 0x00 the end of a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long[] AcCounts(int table)
    {
        var counts = new long[256];
        for (var s = 0; s < 256; s++)
        {
            counts[s] = _acCounts[(512 * table) + s] + _acCounts[(512 * table) + 256 + s];
        }

        return counts;
    }

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
        ref var ac = ref _acCounts[512 * table];
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

            var size = Size(v);
            Unsafe.Add(ref ac, ((k & 1) << 8) | (run << 4) | size)++;
            kept = Packed(v, size);
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
        _acCounts[512 * table]++; // end of block at once
    }

    private void StartRecord(Span<short> record, ulong mask, int dc, int component, int table)
    {
        MemoryMarshal.Write(MemoryMarshal.AsBytes(record), mask);
        var difference = dc - _lastDc[component];
        _lastDc[component] = dc;
        var size = Size(difference);
        record[4] = Packed(difference, size);
        DcCounts[(256 * table) + size]++;
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
    /// component <paramref name="order"/>[i mod its length] (an MCU's blocks), coded with the DC and
    /// AC tables of its pair in <paramref name="codes"/>. Returns the bits left pending at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public JpegBits Emit(ref JpegBitWriter writer, ReadOnlySpan<byte> order, JpegCodes codes)
    {
        var bits = JpegBits.Empty;
        var b = 0;
        foreach (var (chunk, used) in (List<(short[], int)>)[.. _full, (_chunk, _used)])
        {
            ref var record = ref MemoryMarshal.GetArrayDataReference(chunk);
            ref var end = ref Unsafe.Add(ref record, used);
            while (Unsafe.IsAddressLessThan(ref record, ref end))
            {
                ref var room = ref writer.Reserve(LargestBlockBytes);
                ref var table = ref codes.At(JpegCodes.TablePair * _tableOf[order[b]]);
                b = b + 1 == order.Length ? 0 : b + 1;
                writer.Advance(EncodeBlock(ref record, ref table, ref bits, ref room));
                record = ref Unsafe.Add(ref record, 5 + BitOperations.PopCount(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<short, byte>(ref record))));
            }
        }

        return bits;
    }

    /// <summary>
    /// One kept block's codes into <paramref name="output"/> (room for <see cref="LargestBlockBytes"/>),
    /// the pending bits held in locals meanwhile; returns how many bytes went there. The AC values'
    /// zero runs are read off the mask by shifting it past each value.
    /// </summary>
    /// <param name="record">the block: mask, DC difference, AC values</param>
    /// <param name="codes">its DC table's entries, then its AC table's</param>
    /// <param name="bits">the pending bits, before and after</param>
    /// <param name="output">where whole words go</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EncodeBlock(ref short record, ref uint codes, ref JpegBits bits, ref byte output)
    {
        var (pending, free, used) = (bits.Pending, bits.Free, 0);
        var mask = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<short, byte>(ref record));
        var packed = (ushort)Unsafe.Add(ref record, 4);
        var size = packed & 15;
        var entry = Unsafe.Add(ref codes, size);
        JpegBits.Put(ref pending, ref free, ref output, ref used, ((entry >> 5) << size) | (uint)(packed >> 4), (int)(entry & 31) + size);

        // Bit j of the mask now stands for zigzag position j + 1; a value at 63 leaves no end of block.
        ref var ac = ref Unsafe.Add(ref codes, 256);
        ref var value = ref Unsafe.Add(ref record, 5);
        var endOfBlock = (long)mask >= 0;
        mask >>= 1;
        while (mask != 0)
        {
            var run = BitOperations.TrailingZeroCount(mask);
            mask = (mask >> run) >> 1;
            while (run > 15)
            {
                entry = Unsafe.Add(ref ac, 0xF0);
                JpegBits.Put(ref pending, ref free, ref output, ref used, entry >> 5, (int)(entry & 31));
                run -= 16;
            }

            packed = (ushort)value;
            value = ref Unsafe.Add(ref value, 1);
            size = packed & 15;
            entry = Unsafe.Add(ref ac, (run << 4) | size);
            JpegBits.Put(ref pending, ref free, ref output, ref used, ((entry >> 5) << size) | (uint)(packed >> 4), (int)(entry & 31) + size);
        }

        if (endOfBlock)
        {
            entry = ac;
            JpegBits.Put(ref pending, ref free, ref output, ref used, entry >> 5, (int)(entry & 31));
        }

        (bits.Pending, bits.Free) = (pending, free);
        return used;
    }

    /// <summary>The bits of |v| (0 for 0): the size category of T.81 F.1.2.1. (|v| without Math.Abs's overflow check.)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Size(int v) => 32 - BitOperations.LeadingZeroCount((uint)((v ^ (v >> 31)) - (v >> 31)));

    /// <summary>The <paramref name="size"/> bits that follow a value's code: v itself if positive, v − 1 (its ones' complement) if negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Extra(int v, int size) => (uint)(v + (v >> 31)) & ((1u << size) - 1);

    /// <summary>
    /// A value as kept for the coder: its extra bits · 16 + its size. Sizes reach 11 (a DC difference
    /// of up to ±2040) and 10 for AC values, so the pair fits 15 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Packed(int v, int size) => (short)((Extra(v, size) << 4) | (uint)size);

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        if (_chunk.Length == 0)
        {
            return; // disposed already
        }

        foreach (var (chunk, _) in _full)
        {
            ArrayPool<short>.Shared.Return(chunk);
        }

        _full.Clear();
        ArrayPool<short>.Shared.Return(_chunk);
        _chunk = [];
    }
}

/// <summary>
/// The Huffman codes of a scan's tables, each symbol's as code · 32 + length (codes are at most 16
/// bits long), one load a symbol: for table pair t, the DC table at <see cref="TablePair"/>·t and
/// the AC table 256 entries on.
/// </summary>
internal sealed class JpegCodes
{
    /// <summary>The entries of a DC table and an AC table.</summary>
    public const int TablePair = 512;

    private readonly uint[] _entries;

    /// <param name="dc">the DC tables by number</param>
    /// <param name="ac">the AC tables by number</param>
    public JpegCodes(IReadOnlyList<JpegHuffmanTable> dc, IReadOnlyList<JpegHuffmanTable> ac)
    {
        _entries = new uint[TablePair * dc.Count];
        Span<uint> codes = stackalloc uint[256];
        Span<byte> lengths = stackalloc byte[256];
        for (var t = 0; t < dc.Count; t++)
        {
            foreach (var (table, at) in new[] { (dc[t], TablePair * t), (ac[t], (TablePair * t) + 256) })
            {
                JpegHuffman.Codes(table, codes, lengths);
                for (var s = 0; s < 256; s++)
                {
                    _entries[at + s] = (codes[s] << 5) | lengths[s];
                }
            }
        }
    }

    /// <summary>The entry at <paramref name="index"/>, and the ones after it.</summary>
    public ref uint At(int index) => ref _entries[index];
}
