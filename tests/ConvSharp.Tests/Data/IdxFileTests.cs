using System.Text.Json;
using ConvSharp.Data;
using ConvSharp.Tests.Support;
using static ConvSharp.Tests.Data.IdxBytes;

namespace ConvSharp.Tests.Data;

/// <summary>IdxFile: the Fashion-MNIST subset, plain and gzipped files, and files that lie.</summary>
public sealed class IdxFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static JsonElement Expected(string split)
    {
        using var stream = File.OpenRead(Subset("expected.json"));
        return JsonDocument.Parse(stream).RootElement.GetProperty("splits").GetProperty(split).Clone();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Reading <paramref name="bytes"/> as <paramref name="name"/> fails with a message naming the file and containing each of <paramref name="parts"/>.</summary>
    private string Refused(string name, byte[] bytes, Func<string, IdxArray> read, params string[] parts)
    {
        var path = Write(name, bytes);
        var e = Assert.Throws<InvalidDataException>(() => read(path));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        foreach (var part in parts)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }

        return e.Message;
    }

    [Theory]
    [InlineData("train")]
    [InlineData("t10k")]
    public void Reads_the_subset_as_the_python_script_saw_it(string split)
    {
        var expected = Expected(split);
        var images = IdxFile.ReadImages(Subset($"{split}-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(Subset($"{split}-labels-idx1-ubyte.gz"));
        var count = expected.GetProperty("count").GetInt32();
        var (rows, cols) = (expected.GetProperty("rows").GetInt32(), expected.GetProperty("cols").GetInt32());

        Assert.Equal([count, rows, cols], images.Shape);
        Assert.Equal(3, images.Rank);
        Assert.Equal(count, images.Count);
        Assert.Equal(rows * cols, images.ExampleSize);
        Assert.Equal([count], labels.Shape);
        Assert.Equal(1, labels.ExampleSize);
        Assert.Equal(expected.GetProperty("first_labels").ToInts(), labels.Data[..20].ToArray().Select(b => (int)b));
        var histogram = new int[10];
        foreach (var label in labels.Data)
        {
            histogram[label]++;
        }

        Assert.Equal(expected.GetProperty("label_counts").ToInts(), histogram);
        foreach (var pixel in expected.GetProperty("pixels").EnumerateArray())
        {
            var (n, r, c) = (pixel.GetProperty("example").GetInt32(), pixel.GetProperty("row").GetInt32(), pixel.GetProperty("col").GetInt32());
            Assert.Equal(pixel.GetProperty("byte").GetInt32(), images.Data[(((n * rows) + r) * cols) + c]);
        }

        long sum = 0;
        foreach (var b in images.Data)
        {
            sum += b;
        }

        Assert.Equal(expected.GetProperty("byte_sum").GetInt64(), sum);
    }

    [Fact]
    public void Plain_and_gzipped_files_read_the_same_and_gzip_is_known_by_its_bytes_too()
    {
        var raw = Gunzip(Subset("t10k-images-idx3-ubyte.gz"));
        var gz = IdxFile.Read(Subset("t10k-images-idx3-ubyte.gz"));
        var plain = IdxFile.Read(Write("t10k-images-idx3-ubyte", raw));
        var gzipWithoutExtension = IdxFile.Read(Write("images.idx", Gzip(raw)));

        Assert.Equal(gz.Shape, plain.Shape);
        Assert.True(gz.Data.SequenceEqual(plain.Data));
        Assert.True(gz.Data.SequenceEqual(gzipWithoutExtension.Data));
        Assert.Equal(raw.AsSpan(16).ToArray(), plain.Data.ToArray());
    }

    [Fact]
    public void Any_rank_from_one_to_four_reads()
    {
        var array = IdxFile.Read(Write("cube", Idx(0x804, [2, 1, 3, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])));
        Assert.Equal([2, 1, 3, 2], array.Shape);
        Assert.Equal(6, array.ExampleSize);
        Assert.Equal(12, array.Data[11]);
        Assert.Equal(_temp.File("cube"), array.Source);
    }

    [Fact]
    public void A_wrong_magic_number_is_refused()
    {
        Refused("zip", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 1, 7], IdxFile.Read, "not an IDX file", "0x504B0304");
        Refused("floats", Idx(0x0D03, [1, 1, 1], [0, 0, 0, 0]), IdxFile.Read, "element type 0x0D", "32-bit floats", "unsigned bytes (0x08)");
        Refused("images-as-labels", Images(2, 2, 2), IdxFile.ReadLabels, "0x00000803", "labels need 0x00000801 (1 dimension)");
        Refused("labels-as-images", Labels(1, 2), IdxFile.ReadImages, "0x00000801", "images need 0x00000803");
        Refused("rank0", Idx(0x800, [], [1]), IdxFile.Read, "0 dimensions", "expected 1 to 4");
        Refused("rank9", Idx(0x809, [1, 1, 1, 1, 1, 1, 1, 1, 1], [1]), IdxFile.Read, "9 dimensions", "expected 1 to 4");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_files_are_refused(bool gzip)
    {
        var whole = Images(10, 28, 28);
        byte[] Maybe(byte[] b) => gzip ? Gzip(b) : b;
        var suffix = gzip ? ".gz" : "";

        Refused("data" + suffix, Maybe(whole[..^100]), IdxFile.ReadImages, "truncated", "(10 x 28 x 28) promises 7840 bytes", "only 7740");
        Refused("sizes" + suffix, Maybe(whole[..10]), IdxFile.ReadImages, "truncated", "3 dimension sizes (12 bytes)", "after 6 of those bytes");
        Refused("magic" + suffix, Maybe(whole[..3]), IdxFile.ReadImages, "truncated", "4-byte IDX magic number", "only 3");
    }

    [Fact]
    public void A_gzip_stream_cut_short_is_refused()
    {
        var gz = Gzip(Images(10, 28, 28));
        var message = Refused("cut.gz", gz[..(gz.Length / 2)], IdxFile.ReadImages);
        Assert.True(
            message.Contains("truncated", StringComparison.Ordinal) || message.Contains("gzip data is corrupt", StringComparison.Ordinal),
            message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Trailing_bytes_are_refused(bool gzip)
    {
        var bytes = Labels(1, 2, 3).Concat(new byte[] { 9, 9, 9 }).ToArray();
        Refused(gzip ? "labels.gz" : "labels", gzip ? Gzip(bytes) : bytes, IdxFile.ReadLabels, "3 bytes too many", "(3) promises 3 bytes");
    }

    [Fact]
    public void Absurd_or_zero_dimensions_are_refused_before_any_large_allocation()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Refused("huge", Idx(0x803, [uint.MaxValue, uint.MaxValue, uint.MaxValue], [1, 2, 3]), IdxFile.ReadImages, "more than 1073741824 bytes");
        Refused("huge.gz", Gzip(Idx(0x803, [uint.MaxValue, uint.MaxValue, uint.MaxValue], [1, 2, 3])), IdxFile.ReadImages, "more than 1073741824 bytes");
        Refused("zero", Idx(0x803, [5, 0, 28], []), IdxFile.ReadImages, "dimension 1 of (5 x 0 x 28) is 0");

        // Within the limit, but far more than the file holds: refused from the file's length alone.
        Refused("lying", Idx(0x803, [1_000_000, 28, 28], [1, 2, 3]), IdxFile.ReadImages, "truncated", "promises 784000000 bytes", "only 3");
        Refused("lying.gz", Gzip(Idx(0x803, [1_000_000, 28, 28], [1, 2, 3])), IdxFile.ReadImages, "promises 784000000 bytes", "expand to at most");

        // Plausible for its compressed size, still a lie: memory follows the bytes that arrive.
        var noise = new byte[300_000];
        new System.Random(1).NextBytes(noise); // incompressible: 300 kB of gzip could be 300 MB of data
        Refused("noise.gz", Gzip(Idx(0x803, [300_000, 28, 28], noise)), IdxFile.ReadImages, "truncated", "promises 235200000 bytes", "only 300000");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "a lying header must not cost its claim in memory");
    }

    [Fact]
    public void Files_that_are_not_what_their_name_says_are_refused()
    {
        Refused("labels.gz", Labels(1, 2), IdxFile.ReadLabels, "named .gz but not gzip data", "starts with 0000,");
        var gz = Gzip(Labels(1, 2, 3));
        gz[12] ^= 0xFF; // inside the DEFLATE data
        gz[14] ^= 0xFF;
        var message = Refused("broken.gz", gz, IdxFile.ReadLabels);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_empty_and_endless_files_get_clear_errors()
    {
        Assert.Throws<FileNotFoundException>(() => IdxFile.Read(_temp.File("absent.gz")));
        var empty = Write("empty", []);
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => IdxFile.Read(empty)).Message, StringComparison.Ordinal);
        if (File.Exists("/dev/zero"))
        {
            Assert.Contains("not a regular file", Assert.Throws<InvalidDataException>(() => IdxFile.Read("/dev/zero")).Message, StringComparison.Ordinal);
        }
    }
}
