using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// The bytes of a JPEG file on their way to a stream, through a buffer of <paramref name="buffer"/>'s
/// size: marker segments as they are, entropy-coded bits packed most significant first, with
/// a 0x00 stuffed after every 0xFF byte of coded data (ITU T.81 B.1.1.5) and the last byte
/// padded with 1 bits. Bits gather in a 64-bit word that is written out when full, eight
/// bytes at once unless one of them is 0xFF. A caller makes room (<see cref="EnsureRoom"/>) before
/// a block's bits, so the puts themselves never check the buffer.
/// </summary>
internal ref struct JpegBitWriter(Stream output, Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _used;
    private ulong _bits;
    private int _free = 64;

    /// <summary>Bytes written as they are (marker segments); no bits may be pending.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_free != 64)
        {
            throw new InvalidOperationException("marker bytes cannot follow coded bits before they are padded to a byte");
        }

        while (bytes.Length > 0)
        {
            EnsureRoom(1);
            var take = Math.Min(bytes.Length, _buffer.Length - _used);
            bytes[..take].CopyTo(_buffer[_used..]);
            _used += take;
            bytes = bytes[take..];
        }
    }

    /// <summary>Hands the buffer to the stream unless <paramref name="bytes"/> more fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnsureRoom(int bytes)
    {
        if (_buffer.Length - _used < bytes)
        {
            Flush();
        }
    }

    /// <summary>
    /// Appends the low <paramref name="length"/> bits of <paramref name="bits"/> (1 to 27 bits, a
    /// code of up to 16 and up to 11 bits of value; nothing above them set). When they overflow the word, its free bits take their top and the
    /// word goes out; the word then holds all of <paramref name="bits"/>, its bits above the ones
    /// still pending being shifted out, unread, before the word next goes out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(uint bits, int length)
    {
        var free = _free - length;
        if (free >= 0)
        {
            _bits = (_bits << length) | bits;
            _free = free;
            return;
        }

        var word = (_bits << _free) | (bits >> -free);
        WriteWord(word);
        _bits = bits;
        _free = free + 64;
    }

    /// <summary>Writes the pending bits whole bytes at a time, the last one filled with 1 bits.</summary>
    public void PadToByte()
    {
        var pending = 64 - _free;
        while (pending >= 8)
        {
            pending -= 8;
            WriteCoded((byte)(_bits >> pending));
        }

        if (pending > 0)
        {
            WriteCoded((byte)((_bits << (8 - pending)) | (0xFFu >> pending)));
        }

        _bits = 0;
        _free = 64;
    }

    /// <summary>Hands what is buffered to the stream.</summary>
    public void Flush()
    {
        output.Write(_buffer[.._used]);
        _used = 0;
    }

    /// <summary>Eight coded bytes, most significant first: one store unless a byte is 0xFF and needs its 0x00.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteWord(ulong word)
    {
        // A zero byte in ~word is a 0xFF in word (the classic "has a zero byte" test).
        const ulong Ones = 0x0101010101010101;
        const ulong Highs = 0x8080808080808080;
        var inverted = ~word;
        if (((inverted - Ones) & word & Highs) == 0)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_buffer[_used..], word);
            _used += 8;
            return;
        }

        for (var shift = 56; shift >= 0; shift -= 8)
        {
            WriteCoded((byte)(word >> shift));
        }
    }

    private void WriteCoded(byte value)
    {
        _buffer[_used++] = value;
        if (value == 0xFF)
        {
            _buffer[_used++] = 0;
        }
    }
}
