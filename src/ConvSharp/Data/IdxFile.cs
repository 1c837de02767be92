using System.Buffers.Binary;
using System.IO.Compression;
using ConvSharp.Interop;

namespace ConvSharp.Data;

/// <summary>
/// Reads IDX files (http://yann.lecun.com/exdb/mnist/, the format of MNIST and Fashion-MNIST):
/// a big-endian magic number <c>0x0000TTDD</c> (T the element type, D the number of dimensions),
/// D big-endian 32-bit sizes, then the elements. Unsigned bytes (T = 0x08) are read, plain or
/// gzipped (by the <c>.gz</c> extension or by the gzip magic bytes).
/// </summary>
/// <remarks>
/// A file is never trusted: the header is checked (magic, number and size of dimensions) before
/// anything is allocated, a plain file's length must match the header exactly before its data is
/// read, and gzip data is read into memory that grows with the bytes that really arrive, so a
/// forged header costs neither gigabytes nor a long wait. Every error is an
/// <see cref="InvalidDataException"/> that starts with the file's path and says what was
/// expected and what was found.
/// </remarks>
public static class IdxFile
{
    /// <summary>The magic number of an IDX file of unsigned-byte labels: type 0x08, one dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The magic number of an IDX file of unsigned-byte images: type 0x08, three dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The most elements (bytes) one file may hold: 1 GiB, twice the largest EMNIST split, and a float32 tensor of them still fits a .NET array.</summary>
    public const long MaxElements = 1L << 30;

    /// <summary>The most dimensions a file may have (a batch of colour images has four).</summary>
    public const int MaxRank = 4;

    private const byte UnsignedByte = 0x08;

    /// <summary>DEFLATE cannot expand data more than 1032-fold; a header that claims more than that is a lie.</summary>
    private const long MaxGzipRatio = 1032;

    /// <summary>How far past the promised data a gzip stream is read to count what is left over.</summary>
    private const int MaxTrailingCount = 1 << 20;

    private const int InitialGzipBuffer = 1 << 20;

    /// <summary>Reads an IDX file of unsigned bytes with any number of dimensions from 1 to <see cref="MaxRank"/>.</summary>
    /// <exception cref="FileNotFoundException">there is no such file</exception>
    /// <exception cref="InvalidDataException">it is not a complete, consistent IDX file of unsigned bytes</exception>
    public static IdxArray Read(string path) => Read(path, expectedMagic: null);

    /// <summary>Reads an IDX file of images: magic <see cref="ImagesMagic"/>, dimensions (count, rows, columns).</summary>
    /// <exception cref="FileNotFoundException">there is no such file</exception>
    /// <exception cref="InvalidDataException">it is not a complete, consistent IDX file of unsigned-byte images</exception>
    public static IdxArray ReadImages(string path) => Read(path, ImagesMagic);

    /// <summary>Reads an IDX file of labels: magic <see cref="LabelsMagic"/>, one dimension (count).</summary>
    /// <exception cref="FileNotFoundException">there is no such file</exception>
    /// <exception cref="InvalidDataException">it is not a complete, consistent IDX file of unsigned-byte labels</exception>
    public static IdxArray ReadLabels(string path) => Read(path, LabelsMagic);

    private static IdxArray Read(string path, int? expectedMagic)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var length = InputFile.Length(path); // a pipe or a device is refused unopened; an empty file too
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            var gzip = IsGzip(file, path);
            if (!gzip)
            {
                return ReadBody(file, path, expectedMagic, plainLength: length, gzipLength: 0);
            }

            using var inflated = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            return ReadBody(inflated, path, expectedMagic, plainLength: null, gzipLength: length);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // What the decompressor found wrong with the gzip data itself.
            throw new InvalidDataException($"{path}: the gzip data is corrupt: {e.Message}", e);
        }
    }

    /// <summary>Whether the file starts with gzip's magic bytes 1F 8B; a name ending in .gz must.</summary>
    private static bool IsGzip(FileStream file, string path)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        var gzip = read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        if (!gzip && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"{path}: named .gz but not gzip data: it starts with {Convert.ToHexString(magic[..read])}, not gzip's 1F8B");
        }

        return gzip;
    }

    private static IdxArray ReadBody(Stream stream, string path, int? expectedMagic, long? plainLength, long gzipLength)
    {
        var where = plainLength is null ? "the gzip data" : "the file";
        Span<byte> head = stackalloc byte[4 + (4 * MaxRank)];
        var read = Fill(stream, head[..4]);
        if (read < 4)
        {
            throw new InvalidDataException($"{path}: truncated: expected a 4-byte IDX magic number, but {where} holds only {read} bytes");
        }

        var magic = BinaryPrimitives.ReadInt32BigEndian(head);
        var (type, rank) = (head[2], head[3]);
        if (head[0] != 0 || head[1] != 0)
        {
            throw new InvalidDataException(
                $"{path}: not an IDX file: it starts with 0x{magic:X8}, where an IDX file starts with two zero bytes, the element type and the number of dimensions (0x{ImagesMagic:X8} for images, 0x{LabelsMagic:X8} for labels)");
        }

        if (type != UnsignedByte)
        {
            throw new InvalidDataException(
                $"{path}: IDX element type 0x{type:X2} ({TypeName(type)}) is not supported: expected unsigned bytes (0x08), as in MNIST");
        }

        if (expectedMagic is { } expected && magic != expected)
        {
            throw new InvalidDataException(
                $"{path}: magic number 0x{magic:X8} ({Dimensions(rank)}), but {(expected == ImagesMagic ? "images" : "labels")} need 0x{expected:X8} ({Dimensions(expected & 0xFF)})");
        }

        if (rank is 0 or > MaxRank)
        {
            throw new InvalidDataException($"{path}: magic number 0x{magic:X8} claims {rank} dimensions; expected 1 to {MaxRank}");
        }

        var sizes = head.Slice(4, 4 * rank);
        read = Fill(stream, sizes);
        if (read < sizes.Length)
        {
            throw new InvalidDataException(
                $"{path}: truncated: expected {rank} dimension sizes ({sizes.Length} bytes) after the magic number, but {where} ends after {read} of those bytes");
        }

        var dims = new int[rank];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(sizes[(4 * i)..]);
            count *= Math.Max(size, 1u); // at most 2^30 · 2^32 before the check below stops it: no overflow
            if (size == 0 || count > MaxElements)
            {
                throw new InvalidDataException(size == 0
                    ? $"{path}: dimension {i} of ({DimList(sizes, rank)}) is 0; every dimension of an IDX file must be at least 1"
                    : $"{path}: the dimensions ({DimList(sizes, rank)}) hold more than {MaxElements} bytes, the most an IDX file may hold here; the header is corrupt");
            }

            dims[i] = (int)size;
        }

        var headerLength = 4 + (4 * rank);
        var shape = $"({DimList(sizes, rank)})";
        if (plainLength is { } fileLength && fileLength - headerLength != count)
        {
            var found = fileLength - headerLength;
            throw new InvalidDataException(found < count
                ? $"{path}: truncated: the header {shape} promises {count} bytes of data, but the file holds only {found}"
                : $"{path}: {found - count} bytes too many: the header {shape} promises {count} bytes of data, but the file holds {found}");
        }

        if (plainLength is null && count > gzipLength * MaxGzipRatio)
        {
            throw new InvalidDataException(
                $"{path}: the header {shape} promises {count} bytes of data, but {gzipLength} bytes of gzip data expand to at most {gzipLength * MaxGzipRatio}; the file is truncated or corrupt");
        }

        var data = plainLength is null ? ReadGrowing(stream, (int)count) : ReadExact(stream, (int)count);
        if (data.Length < count)
        {
            throw new InvalidDataException($"{path}: truncated: the header {shape} promises {count} bytes of data, but {where} holds only {data.Length}");
        }

        var trailing = CountTrailing(stream);
        if (trailing > 0)
        {
            var more = trailing > MaxTrailingCount ? $"more than {MaxTrailingCount}" : $"{trailing}";
            throw new InvalidDataException(
                $"{path}: {more} bytes too many: the header {shape} promises {count} bytes of data, but {where} holds {more} more after them");
        }

        return new IdxArray(path, dims, data);
    }

    /// <summary>Reads what a plain file's length has already confirmed.</summary>
    private static byte[] ReadExact(Stream stream, int count)
    {
        var data = new byte[count];
        var read = Fill(stream, data);
        return read == count ? data : data[..read]; // the file shrank while being read
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes into an array that doubles as they arrive, so the
    /// memory follows the bytes that exist, not the header's claim (at most twice them, briefly).
    /// </summary>
    private static byte[] ReadGrowing(Stream stream, int count)
    {
        var data = new byte[Math.Min(count, InitialGzipBuffer)];
        var filled = 0;
        while (true)
        {
            filled += Fill(stream, data.AsSpan(filled));
            if (filled < data.Length || data.Length == count)
            {
                return filled == data.Length ? data : data[..filled];
            }

            Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
        }
    }

    /// <summary>How many bytes follow the data, counted up to a little past <see cref="MaxTrailingCount"/>.</summary>
    private static long CountTrailing(Stream stream)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while (total <= MaxTrailingCount && (read = stream.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns how much was read.</summary>
    private static int Fill(Stream stream, Span<byte> buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    private static string DimList(ReadOnlySpan<byte> sizes, int rank)
    {
        var parts = new string[rank];
        for (var i = 0; i < rank; i++)
        {
            parts[i] = BinaryPrimitives.ReadUInt32BigEndian(sizes[(4 * i)..]).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return string.Join(" x ", parts);
    }

    private static string Dimensions(int rank) => rank == 1 ? "1 dimension" : $"{rank} dimensions";

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed bytes",
        0x0B => "16-bit integers",
        0x0C => "32-bit integers",
        0x0D => "32-bit floats",
        0x0E => "64-bit floats",
        _ => "not an IDX type",
    };
}
