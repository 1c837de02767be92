using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvSharp.Interop;

/// <summary>What a safetensors file holds: tensors by name, in the order of their data in the file, and the header's <c>__metadata__</c>.</summary>
/// <param name="Tensors">name → float32 tensor</param>
/// <param name="Metadata">the string → string metadata (empty when the file has none)</param>
public sealed record SafetensorsContent(OrderedDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Hugging Face's safetensors format (https://github.com/huggingface/safetensors), read and
/// written without a dependency: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
/// "__metadata__": {..}}</c>, offsets counted from the byte after the header), then the raw
/// little-endian data, tensor after tensor with no gaps.
/// </summary>
/// <remarks>
/// <para>
/// Writing lays the file out as the reference writer does (tensors sorted by dtype, widest first,
/// then by name; compact JSON with <c>__metadata__</c> first; header padded with spaces to a
/// multiple of 8 bytes), so PyTorch's <c>safetensors.torch.load_file</c> reads it. Tensors are
/// written as F32, except those named <c>num_batches_tracked</c> (or ending in
/// <c>.num_batches_tracked</c>), BatchNorm's batch count, which are written as I64 as PyTorch
/// stores them. The file appears whole or not at all (<see cref="AtomicFile"/>).
/// </para>
/// <para>
/// Reading accepts F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL and converts to float32.
/// The file is checked before anything large is allocated: a header length beyond the file or
/// over 100 MB, a header that is not JSON, an unknown dtype, a shape too large, offsets out of
/// range, overlapping, with gaps or not matching dtype × shape, a name given twice and bytes after
/// the last tensor are each an <see cref="InvalidDataException"/> that names the file and the problem.
/// </para>
/// </remarks>
public static class Safetensors
{
    /// <summary>The largest header read: the reference reader's limit.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> (and <paramref name="metadata"/>) to a safetensors file at <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException">a name is "__metadata__", or a num_batches_tracked tensor does not hold one whole number</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (header, entries) = Prepare(tensors, metadata);
        AtomicFile.Write(path, stream => Write(stream, header, entries));
    }

    /// <summary>Reads a safetensors file; every tensor becomes float32.</summary>
    /// <exception cref="InvalidDataException">the file is not a complete, consistent safetensors file of supported dtypes; the message names the file and the problem</exception>
    public static SafetensorsContent Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var length = InputFile.Length(path); // a pipe or a device is refused before it is opened
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream, length);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Writes to <paramref name="stream"/> what <see cref="Save"/> writes to a file.</summary>
    internal static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (header, entries) = Prepare(tensors, metadata);
        Write(stream, header, entries);
    }

    /// <summary>Reads what <see cref="Load"/> reads from a seekable stream of <paramref name="length"/> bytes.</summary>
    internal static SafetensorsContent Read(Stream stream, long length)
    {
        if (length < 8)
        {
            throw new InvalidDataException($"the file is {length} bytes long, too short for the 8-byte header length of a safetensors file");
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
        {
            throw new InvalidDataException(
                $"the header length is {headerLength} bytes, more than the {MaxHeaderLength}-byte limit; this is not a safetensors file, or it is corrupt");
        }

        if (headerLength > (ulong)(length - 8))
        {
            throw new InvalidDataException(
                $"the header length is {headerLength} bytes, but only {length - 8} bytes follow it: the file is truncated or not a safetensors file");
        }

        var headerBytes = new byte[(int)headerLength];
        stream.ReadExactly(headerBytes);
        var dataLength = length - 8 - (long)headerLength;
        var entries = ParseHeader(headerBytes, dataLength, out var metadata);

        var tensors = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        var dataStart = 8 + (long)headerLength;
        foreach (var entry in entries)
        {
            stream.Position = dataStart + entry.Begin;
            tensors.Add(entry.Name, new Tensor(ReadValues(stream, entry), entry.Shape));
        }

        return new SafetensorsContent(tensors, metadata);
    }

    private static List<Entry> ParseHeader(byte[] headerBytes, long dataLength, out Dictionary<string, string> metadata)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"the header is not valid UTF-8 ({e.Message})", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text); // trailing spaces (the padding) are whitespace to JSON
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"the header is JSON but not an object (it is {Describe(root)})");
            }

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw new InvalidDataException($"the header names the tensor \"{property.Name}\" twice");
                }

                if (property.Name == MetadataKey)
                {
                    metadata = ParseMetadata(property.Value);
                    continue;
                }

                entries.Add(ParseEntry(property.Name, property.Value));
            }

            CheckLayout(entries, dataLength);
            return entries;
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"the header's __metadata__ must be an object of strings, but it is {Describe(value)}");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"the header's __metadata__ value for \"{item.Name}\" must be a string, but it is {Describe(item.Value)}");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new InvalidDataException($"the header's __metadata__ has the key \"{item.Name}\" twice");
            }
        }

        return metadata;
    }

    private static Entry ParseEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"tensor \"{name}\": its header entry must be an object with dtype, shape and data_offsets, but it is {Describe(value)}");
        }

        if (!value.TryGetProperty("dtype", out var dtypeValue) || dtypeValue.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException($"tensor \"{name}\": the header entry has no dtype string");
        }

        var dtype = DType.Parse(dtypeValue.GetString()!)
            ?? throw new InvalidDataException(
                $"tensor \"{name}\": unsupported dtype \"{dtypeValue.GetString()}\"; ConvSharp reads {string.Join(", ", DType.All.Select(t => t.Name))}");

        var shape = Integers(name, value, "shape", int.MaxValue);
        var offsets = Integers(name, value, "data_offsets", long.MaxValue);
        if (offsets.Length != 2)
        {
            throw new InvalidDataException($"tensor \"{name}\": data_offsets must be [begin, end], but has {offsets.Length} numbers");
        }

        // The product is checked step by step: a forged shape must not overflow into a small number.
        long count = 1;
        var intShape = new int[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            intShape[i] = (int)shape[i];
            if (count != 0 && shape[i] > int.MaxValue / count)
            {
                throw new InvalidDataException(
                    $"tensor \"{name}\": the shape {Shapes.Format(intShape.AsSpan(0, i + 1))}… has more elements than a tensor can hold ({int.MaxValue})");
            }

            count *= shape[i];
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin)
        {
            throw new InvalidDataException($"tensor \"{name}\": data_offsets [{begin}, {end}] end before they begin");
        }

        if (end - begin != count * dtype.Size)
        {
            throw new InvalidDataException(
                $"tensor \"{name}\": data_offsets [{begin}, {end}] span {end - begin} bytes, but {count} elements of {dtype.Name} " +
                $"(shape {Shapes.Format(intShape)}) take {count * dtype.Size}");
        }

        return new Entry(name, dtype, intShape, (int)count, begin, end);
    }

    /// <summary>Tensors sorted by offset must tile the data exactly: from 0, no gap, no overlap, nothing after the last.</summary>
    private static void CheckLayout(List<Entry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long at = 0;
        Entry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.End > dataLength)
            {
                throw new InvalidDataException(
                    $"tensor \"{entry.Name}\": data_offsets [{entry.Begin}, {entry.End}] reach past the end of the data ({dataLength} bytes after the header): the file is truncated");
            }

            if (entry.Begin < at)
            {
                throw new InvalidDataException(
                    $"tensor \"{entry.Name}\": data_offsets [{entry.Begin}, {entry.End}] overlap those of \"{previous!.Name}\" [{previous.Begin}, {previous.End}]");
            }

            if (entry.Begin > at)
            {
                throw new InvalidDataException(
                    $"tensor \"{entry.Name}\": its data begins at {entry.Begin}, leaving a gap of {entry.Begin - at} bytes after " +
                    (previous is null ? "the header" : $"\"{previous.Name}\""));
            }

            at = entry.End;
            previous = entry;
        }

        if (at != dataLength)
        {
            throw new InvalidDataException(
                $"{dataLength - at} bytes follow the last tensor's data (the tensors take {at} of the {dataLength} bytes after the header): trailing garbage, or a header that leaves tensors out");
        }
    }

    private static long[] Integers(string name, JsonElement entry, string key, long max)
    {
        if (!entry.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"tensor \"{name}\": the header entry has no {key} array");
        }

        var result = new long[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var n) || n < 0 || n > max)
            {
                throw new InvalidDataException($"tensor \"{name}\": {key} must hold whole numbers from 0 to {max}, but has {item.GetRawText()}");
            }

            result[i++] = n;
        }

        return result;
    }

    /// <summary>The elements, read and decoded a chunk at a time.</summary>
    private static float[] ReadValues(Stream stream, Entry entry)
    {
        var values = new float[entry.Count];
        var size = entry.DType.Size;
        var perChunk = Math.Max(1, (1 << 20) / size);
        var buffer = new byte[Math.Min(entry.Count, perChunk) * size];
        for (var done = 0; done < entry.Count; done += perChunk)
        {
            var n = Math.Min(perChunk, entry.Count - done);
            var chunk = buffer.AsSpan(0, n * size);
            if (stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false) < chunk.Length)
            {
                throw new InvalidDataException($"tensor \"{entry.Name}\": the file ended while its data was read (it changed while being read?)");
            }

            entry.DType.Decode(chunk, values.AsSpan(done, n));
        }

        return values;
    }

    private static (byte[] Header, List<(string Name, Tensor Tensor, DType DType)> Entries) Prepare(
        IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<(string Name, Tensor Tensor, DType DType)>();
        foreach (var (name, tensor) in tensors)
        {
            if (name is null or MetadataKey)
            {
                throw new ArgumentException($"a tensor cannot be named {(name is null ? "null" : "\"__metadata__\"")} in a safetensors file", nameof(tensors));
            }

            if (tensor is null)
            {
                throw new ArgumentException($"the tensor \"{name}\" is null", nameof(tensors));
            }

            var dtype = IsBatchCount(name) ? DType.I64 : DType.F32;
            if (dtype == DType.I64)
            {
                foreach (var v in tensor.ToArray())
                {
                    if (v != Math.Floor(v) || !(Math.Abs(v) < 9.2e18f))
                    {
                        throw new ArgumentException($"\"{name}\" is written as I64, as PyTorch stores it, so it must hold whole numbers, but holds {v.ToString(CultureInfo.InvariantCulture)}", nameof(tensors));
                    }
                }
            }

            entries.Add((name, tensor, dtype));
        }

        // The reference writer's order: widest dtype first (so each tensor is aligned to its element size), then by name.
        entries.Sort((a, b) => a.DType.Size != b.DType.Size ? b.DType.Size.CompareTo(a.DType.Size) : string.CompareOrdinal(a.Name, b.Name));

        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(key, nameof(metadata));
                    writer.WriteString(key, value ?? throw new ArgumentException($"the metadata value for \"{key}\" is null", nameof(metadata)));
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor, dtype) in entries)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype.Name);
                writer.WriteStartArray("shape");
                foreach (var d in tensor.Dims)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                var end = offset + ((long)tensor.NumElements * dtype.Size);
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }

            writer.WriteEndObject();
        }

        var unpadded = json.Length;
        var padding = (8 - (unpadded % 8)) % 8;
        for (var i = 0; i < padding; i++)
        {
            json.WriteByte((byte)' ');
        }

        return (json.ToArray(), entries);
    }

    private static void Write(Stream stream, byte[] header, List<(string Name, Tensor Tensor, DType DType)> entries)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor, dtype) in entries)
        {
            var values = tensor.ToArray();
            if (dtype == DType.F32)
            {
                NpyFormat.WriteValues(stream, values);
                continue;
            }

            var bytes = new byte[values.Length * 8];
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), (long)values[i]);
            }

            stream.Write(bytes);
        }
    }

    private static bool IsBatchCount(string name) =>
        name == "num_batches_tracked" || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private sealed record Entry(string Name, DType DType, int[] Shape, int Count, long Begin, long End);

    /// <summary>A safetensors element type: its name in the header, its size, and how it becomes float32.</summary>
    private sealed class DType
    {
        public static readonly DType F32 = new("F32", 4);
        public static readonly DType F16 = new("F16", 2);
        public static readonly DType BF16 = new("BF16", 2);
        public static readonly DType F64 = new("F64", 8);
        public static readonly DType I64 = new("I64", 8);
        public static readonly DType I32 = new("I32", 4);
        public static readonly DType I16 = new("I16", 2);
        public static readonly DType I8 = new("I8", 1);
        public static readonly DType U8 = new("U8", 1);
        public static readonly DType Bool = new("BOOL", 1);

        private DType(string name, int size) => (Name, Size) = (name, size);

        public static IReadOnlyList<DType> All { get; } = [F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool];

        public string Name { get; }

        public int Size { get; }

        public static DType? Parse(string name) => All.FirstOrDefault(t => t.Name == name);

        public void Decode(ReadOnlySpan<byte> data, Span<float> values)
        {
            var n = values.Length;
            switch (Name)
            {
                case "F32":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
                    }

                    break;
                case "F16":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]);
                    }

                    break;
                case "BF16":
                    // bfloat16 is the top half of a float32.
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]) << 16);
                    }

                    break;
                case "F64":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]);
                    }

                    break;
                case "I64":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]);
                    }

                    break;
                case "I32":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]);
                    }

                    break;
                case "I16":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]);
                    }

                    break;
                case "I8":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = (sbyte)data[i];
                    }

                    break;
                case "U8":
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = data[i];
                    }

                    break;
                default: // BOOL: any byte but 0 is true
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = data[i] == 0 ? 0f : 1f;
                    }

                    break;
            }
        }
    }
}
