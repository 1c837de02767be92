using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvSharp.Tests.Data;

/// <summary>IDX files built byte by byte, well formed or not, for the data tests.</summary>
internal static class IdxBytes
{
    public static string Subset(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "fashion-mnist-subset", name);

    /// <summary>A header (magic, then the sizes big-endian) followed by <paramref name="data"/>.</summary>
    public static byte[] Idx(int magic, uint[] dims, byte[] data)
    {
        var bytes = new byte[4 + (4 * dims.Length) + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (var i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }

    public static byte[] Images(int count, int rows, int cols, Func<int, byte>? pixel = null) =>
        Idx(0x803, [(uint)count, (uint)rows, (uint)cols], [.. Enumerable.Range(0, count * rows * cols).Select(pixel ?? (i => (byte)(i % 251)))]);

    public static byte[] Labels(params byte[] labels) => Idx(0x801, [(uint)labels.Length], labels);

    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return memory.ToArray();
    }

    public static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
