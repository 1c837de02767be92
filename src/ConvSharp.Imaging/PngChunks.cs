using System.Buffers.Binary;
using System.IO.Hashing;

namespace ConvSharp.Imaging;

/// <summary>
/// PNG chunks (specification section 5.3): a 4-byte big-endian length, a 4-letter type, the data,
/// and the CRC-32 of type and data. Each chunk is assembled in one buffer and written with one call.
/// </summary>
internal static class PngChunks
{
    /// <summary>Length, type, CRC: the bytes a chunk adds to its data.</summary>
    public const int Overhead = 12;

    /// <summary>Writes one whole chunk.</summary>
    public static void Write(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[Overhead + data.Length];
        data.CopyTo(chunk.AsSpan(8));
        Seal(chunk, type, data.Length);
        output.Write(chunk);
    }

    /// <summary>Fills in the length, type and CRC around the <paramref name="length"/> data bytes already at chunk[8..].</summary>
    public static void Seal(Span<byte> chunk, ReadOnlySpan<byte> type, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(chunk, length);
        type.CopyTo(chunk[4..8]);
        BinaryPrimitives.WriteUInt32BigEndian(chunk[(8 + length)..], Crc32.HashToUInt32(chunk[4..(8 + length)]));
    }
}

/// <summary>
/// A write-only stream that cuts what is written to it (the zlib stream) into IDAT chunks of at
/// most <paramref name="chunkData"/> bytes, written to <paramref name="output"/> as each fills, so
/// the compressed picture is never held whole. <see cref="Stream.Flush()"/> writes the bytes
/// gathered so far as a (shorter) chunk; call it once the zlib stream is closed.
/// </summary>
internal sealed class IdatStream(Stream output, int chunkData = IdatStream.DefaultChunkData) : Stream
{
    /// <summary>64 KiB of data per chunk: few chunks, little memory.</summary>
    public const int DefaultChunkData = 1 << 16;

    private readonly byte[] _chunk = new byte[PngChunks.Overhead + chunkData];
    private int _filled;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var take = Math.Min(buffer.Length, chunkData - _filled);
            buffer[..take].CopyTo(_chunk.AsSpan(8 + _filled));
            _filled += take;
            buffer = buffer[take..];
            if (_filled == chunkData)
            {
                Emit();
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
        if (_filled > 0)
        {
            Emit();
        }

        output.Flush();
    }

    private void Emit()
    {
        PngChunks.Seal(_chunk, "IDAT"u8, _filled);
        output.Write(_chunk, 0, PngChunks.Overhead + _filled);
        _filled = 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
