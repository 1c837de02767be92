using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// Entropy-coded bits on their way to bytes (ITU T.81 F.1.2.3 and B.1.1.5): packed most
/// significant first into a 64-bit word that goes out, big-endian, when full, eight bytes in one
/// store unless one of them is 0xFF, which is followed by a stuffed 0x00. The coder keeps
/// <see cref="Pending"/> and <see cref="Free"/> in locals while it codes a block and calls
/// <see cref="Put"/> with refs to them, which the JIT turns back into registers once it inlines.
/// </summary>
internal struct JpegBits
{
    /// <summary>The pending bits, in the low 64 − <see cref="Free"/> bits (higher ones are stale).</summary>
    public ulong Pending;

    /// <summary>How many more bits the word takes before it goes out.</summary>
    public int Free;

    /// <summary>No bits pending.</summary>
    public static JpegBits Empty => new() { Free = 64 };

    /// <summary>
    /// Appends the low <paramref name="length"/> bits of <paramref name="code"/> (1 to 27: a code of
    /// up to 16 bits and up to 11 bits of value; nothing above them set). When they overflow the
    /// word, its free bits take their top and the word goes out to <paramref name="output"/> at
    /// <paramref name="used"/>; the word then holds all of <paramref name="code"/>, its bits above
    /// those still pending being shifted out, unread, before the word next goes out. The caller
    /// has made room (up to 16 bytes a word).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Put(ref ulong pending, ref int free, ref byte output, ref int used, uint code, int length)
    {
        var left = free - length;
        if (left >= 0)
        {
            pending = (pending << length) | code;
            free = left;
            return;
        }

        used = WriteWord(ref output, used, (pending << free) | (code >> -left));
        pending = code;
        free = left + 64;
    }

    /// <summary>
    /// A full word out: one big-endian store unless a byte is 0xFF (a zero byte in ~word, the
    /// classic test), which needs its 0x00. Once in eight codes or so, so kept out of line, where
    /// it leaves the coder's registers alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int WriteWord(ref byte output, int used, ulong word)
    {
        const ulong Ones = 0x0101010101010101;
        const ulong Highs = 0x8080808080808080;
        if (((~word - Ones) & word & Highs) == 0)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, used), BinaryPrimitives.ReverseEndianness(word));
            return used + 8;
        }

        for (var shift = 56; shift >= 0; shift -= 8)
        {
            var value = (byte)(word >> shift);
            Unsafe.Add(ref output, used++) = value;
            if (value == 0xFF)
            {
                Unsafe.Add(ref output, used++) = 0;
            }
        }

        return used;
    }
}

/// <summary>
/// The bytes of a JPEG file on their way to a stream, through <paramref name="buffer"/>: marker
/// segments as they are, and coded bits, which a coder writes straight into the room it
/// <see cref="Reserve"/>s, then <see cref="Advance"/>s past; the buffer goes to the stream when
/// the room asked for does not fit.
/// </summary>
internal ref struct JpegBitWriter(Stream output, Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _used;

    /// <summary>Bytes written as they are (marker segments).</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            Reserve(1);
            var take = Math.Min(bytes.Length, _buffer.Length - _used);
            bytes[..take].CopyTo(_buffer[_used..]);
            _used += take;
            bytes = bytes[take..];
        }
    }

    /// <summary>Room for <paramref name="bytes"/> bytes, handing the buffer to the stream first if they do not fit; where they go.</summary>
    public ref byte Reserve(int bytes)
    {
        if (bytes > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"the buffer holds {_buffer.Length} bytes");
        }

        if (_buffer.Length - _used < bytes)
        {
            Flush();
        }

        return ref Unsafe.Add(ref MemoryMarshal.GetReference(_buffer), _used);
    }

    /// <summary>Counts <paramref name="bytes"/> written into the reserved room.</summary>
    public void Advance(int bytes)
    {
        if (bytes < 0 || bytes > _buffer.Length - _used)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "more bytes than the buffer has room for");
        }

        _used += bytes;
    }

    /// <summary>Writes the pending bits (0 to 64) whole bytes at a time, the last one filled with 1 bits (F.1.2.3), stuffed as coded bytes are.</summary>
    public void Pad(JpegBits bits)
    {
        ref var room = ref Reserve(16);
        var used = 0;
        for (var pending = 64 - bits.Free; pending > 0; pending -= 8)
        {
            var value = pending >= 8
                ? (byte)(bits.Pending >> (pending - 8))
                : (byte)((bits.Pending << (8 - pending)) | (0xFFu >> pending));
            Unsafe.Add(ref room, used++) = value;
            if (value == 0xFF)
            {
                Unsafe.Add(ref room, used++) = 0;
            }
        }

        Advance(used);
    }

    /// <summary>Hands what is buffered to the stream.</summary>
    public void Flush()
    {
        output.Write(_buffer[.._used]);
        _used = 0;
    }
}
