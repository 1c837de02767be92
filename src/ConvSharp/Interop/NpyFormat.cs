using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ConvSharp.Interop;

/// <summary>
/// NumPy's <c>.npy</c> format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// a magic string, a version, a header length, a Python-literal header dict, then the raw array.
/// Reads versions 1–3, C or Fortran order, little- or big-endian floats, integers and booleans
/// (converted to float32); writes version 1, little-endian float32, C order, as
/// <c>numpy.save</c> does, byte for byte.
/// </summary>
public static class NpyFormat
{
    private const int MaxHeaderLength = 1 << 20;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads one array from <paramref name="stream"/> as a float32 tensor.</summary>
    /// <exception cref="InvalidDataException">the bytes are not a complete .npy array of a supported type</exception>
    public static Tensor Read(Stream stream) => Read(stream, null);

    /// <summary>Reads one array from <paramref name="stream"/> as a float32 tensor; errors start with <paramref name="name"/>.</summary>
    /// <param name="stream">the .npy bytes</param>
    /// <param name="name">what to call the source in error messages (a file's path), or null</param>
    /// <exception cref="InvalidDataException">the bytes are not a complete .npy array of a supported type</exception>
    public static Tensor Read(Stream stream, string? name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return ReadArray(stream);
        }
        catch (InvalidDataException e) when (name is not null)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }
    }

    private static Tensor ReadArray(Stream stream)
    {
        var prefix = ReadExactly(stream, 8, "the magic string and version");
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a .npy file: it does not start with the magic string \\x93NUMPY");
        }

        var (major, minor) = (prefix[6], prefix[7]);
        if (major is < 1 or > 3)
        {
            throw new InvalidDataException($"unsupported .npy version {major}.{minor}; versions 1, 2 and 3 can be read");
        }

        var lengthBytes = ReadExactly(stream, major == 1 ? 2 : 4, "the header length");
        var headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength)
        {
            throw new InvalidDataException($"the .npy header claims {headerLength} bytes, more than a header ever needs; the file is corrupt");
        }

        var headerBytes = ReadExactly(stream, (int)headerLength, "the header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (type, fortranOrder, shape) = ParseHeader(header);
        var count = Count(shape);

        // The size the header claims is checked against what the file holds before anything that
        // large is allocated: a forged header must not cost gigabytes.
        var bytes = (long)count * type.Size;
        if (!stream.CanSeek)
        {
            // A stream that cannot say how much follows is read into memory first, up to what the
            // header promises: memory then follows the bytes that exist, not the header's claim.
            stream = Buffered(stream, bytes);
        }

        if (stream.Length - stream.Position < bytes)
        {
            throw new InvalidDataException(
                $"the .npy data is truncated: the header promises {count} elements of {type.Descr} ({bytes} bytes), but only {stream.Length - stream.Position} bytes follow");
        }

        var values = ReadValues(stream, type, count);
        if (!fortranOrder || shape.Length < 2)
        {
            return new Tensor(values, shape);
        }

        // Fortran order is C order of the reversed shape; reversing the axes back gives the array.
        var reversed = shape.Reverse().ToArray();
        return new Tensor(values, reversed).Permute([.. Enumerable.Range(0, shape.Length).Reverse()]).Contiguous();
    }

    private static MemoryStream Buffered(Stream stream, long bytes)
    {
        var memory = new MemoryStream();
        var chunk = new byte[1 << 20];
        while (memory.Length < bytes)
        {
            var read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, bytes - memory.Length));
            if (read == 0)
            {
                break;
            }

            memory.Write(chunk, 0, read);
        }

        memory.Position = 0;
        return memory;
    }

    private static int Count(int[] shape)
    {
        try
        {
            return Shapes.NumElements(shape);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"the .npy shape ({string.Join(", ", shape)}) is not one ConvSharp can hold: {e.Message}", e);
        }
    }

    /// <summary>The elements, read and decoded a chunk at a time (no second copy of the whole array in bytes).</summary>
    private static float[] ReadValues(Stream stream, ElementType type, int count)
    {
        var values = new float[count];
        var perChunk = Math.Max(1, (1 << 20) / type.Size);
        var buffer = new byte[Math.Min(count, perChunk) * type.Size];
        for (var done = 0; done < count; done += perChunk)
        {
            var n = Math.Min(perChunk, count - done);
            var chunk = buffer.AsSpan(0, n * type.Size);
            var read = stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
            if (read < chunk.Length)
            {
                throw new InvalidDataException(
                    $"the .npy data is truncated: the header promises {count} elements of {type.Descr}, but the file ends after {done + (read / type.Size)}");
            }

            type.Decode(chunk, values.AsSpan(done, n));
        }

        return values;
    }

    /// <summary>Writes <paramref name="tensor"/> as a version 1.0 .npy array of little-endian float32 in C order.</summary>
    public static void Write(Tensor tensor, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(stream);
        WriteHeader(stream, tensor.Dims);
        WriteValues(stream, tensor.ToArray());
    }

    /// <summary>
    /// Writes the header of a version 1.0 .npy array of little-endian float32 in C order with
    /// <paramref name="shape"/>; the values follow, in C order, through <see cref="WriteValues"/>
    /// (a writer that fills the array piece by piece seeks to each piece's place).
    /// </summary>
    /// <returns>the header's length in bytes: where the first value goes</returns>
    public static int WriteHeader(Stream stream, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var dims = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape.ToArray()) + ")",
        };
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}";
        // NumPy pads with spaces so that the data starts on a multiple of 64 bytes, then a newline.
        var unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        var header = dict + new string(' ', (64 - (unpadded % 64)) % 64) + "\n";
        var headerBytes = Encoding.Latin1.GetBytes(header);
        if (headerBytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"a tensor of rank {shape.Length} needs a header too long for .npy version 1", nameof(shape));
        }

        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2]; // fixed: the version 1 header length
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
        stream.Write(length);
        stream.Write(headerBytes);
        return Magic.Length + 4 + headerBytes.Length;
    }

    /// <summary>Writes float32 values in little-endian order, as .npy's <c>&lt;f4</c> stores them.</summary>
    public static void WriteValues(Stream stream, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        var swapped = MemoryMarshal.Cast<float, int>(values).ToArray();
        BinaryPrimitives.ReverseEndianness(swapped, swapped);
        stream.Write(MemoryMarshal.AsBytes(swapped.AsSpan()));
    }

    private static (ElementType Type, bool FortranOrder, int[] Shape) ParseHeader(string header)
    {
        var (descr, fortranOrder, shape) = NpyHeader.Parse(header);
        return (ElementType.Parse(descr), fortranOrder, shape);
    }

    private static byte[] ReadExactly(Stream stream, int count, string what)
    {
        var buffer = new byte[count];
        var read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        if (read < count)
        {
            throw new InvalidDataException($"the .npy data is truncated: expected {count} bytes for {what}, found {read}");
        }

        return buffer;
    }


    /// <summary>A NumPy dtype string such as <c>&lt;f4</c>: byte order, kind, size in bytes.</summary>
    private sealed record ElementType(string Descr, bool BigEndian, char Kind, int Size)
    {
        public static ElementType Parse(string descr)
        {
            var type = descr.Length >= 3 && descr[0] is '<' or '>' or '|' or '='
                && int.TryParse(descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                ? new ElementType(descr, descr[0] == '>' || (descr[0] == '=' && !BitConverter.IsLittleEndian), descr[1], size)
                : null;
            var supported = type is { Kind: 'f', Size: 2 or 4 or 8 } or { Kind: 'i' or 'u', Size: 1 or 2 or 4 or 8 } or { Kind: 'b', Size: 1 };
            return supported
                ? type!
                : throw new InvalidDataException(
                    $"unsupported .npy element type '{descr}': float (f2, f4, f8), integer (i1–i8, u1–u8) and bool (b1) arrays can be read");
        }

        public void Decode(ReadOnlySpan<byte> data, Span<float> values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var bytes = data.Slice(i * Size, Size);
                values[i] = (Kind, Size) switch
                {
                    ('f', 2) => (float)BitConverter.UInt16BitsToHalf(U16(bytes)),
                    ('f', 4) => BitConverter.UInt32BitsToSingle(U32(bytes)),
                    ('f', 8) => (float)BitConverter.UInt64BitsToDouble(U64(bytes)),
                    ('i', 1) => (sbyte)bytes[0],
                    ('i', 2) => (short)U16(bytes),
                    ('i', 4) => (int)U32(bytes),
                    ('i', 8) => (long)U64(bytes),
                    ('u', 2) => U16(bytes),
                    ('u', 4) => U32(bytes),
                    ('u', 8) => U64(bytes),
                    ('u', 1) => bytes[0],
                    _ => bytes[0] == 0 ? 0 : 1, // b1, a bool: any byte but 0 is True, as NumPy reads it
                };
            }
        }

        private ushort U16(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);

        private uint U32(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

        private ulong U64(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
    }
}
