using System.Text;
using ConvSharp.Interop;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests;

/// <summary>.npy files written by NumPy (tools/fixtures/make_parity_fixtures.py) and by ConvSharp.</summary>
public sealed class NpyTests : IDisposable
{
    private static readonly float[] Base = [.. Enumerable.Range(0, 24).Select(i => (i - 5.5f) / 4)];
    private readonly string _folder = Directory.CreateTempSubdirectory("convsharp-npy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Tensor NumPyFile(string name) => Tensor.LoadNpy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy", name));

    [Theory]
    [InlineData("f4_v1.npy")]
    [InlineData("f4_v2.npy")]
    [InlineData("f4_v3.npy")]
    [InlineData("f8.npy")]
    [InlineData("f2.npy")]
    [InlineData("big_endian.npy")]
    [InlineData("fortran.npy")]
    public void Reads_what_numpy_writes(string name)
    {
        var t = NumPyFile(name);
        Expect.Shape([2, 3, 4], t);
        Expect.Values(Base, t);
    }

    [Fact]
    public void Reads_integer_bool_scalar_and_empty_arrays_as_float32()
    {
        Expect.Values([.. Enumerable.Range(0, 24).Select(i => (float)(byte)(i * 10))], NumPyFile("u1.npy"));
        Expect.Values([.. Enumerable.Range(0, 24).Select(i => (float)(i - 12))], NumPyFile("i8.npy"));
        Expect.Values([.. Enumerable.Range(0, 24).Select(i => i % 3 == 0 ? 1f : 0f)], NumPyFile("bool.npy"));
        var scalar = NumPyFile("scalar.npy");
        Expect.Shape([], scalar);
        Assert.Equal(2.5f, scalar.Item());
        Expect.Shape([0, 3], NumPyFile("empty.npy"));
    }

    [Fact]
    public void Writes_the_bytes_numpy_writes()
    {
        var tensor = Tensor.FromArray(Base, 2, 3, 4);
        using var stream = new MemoryStream();
        NpyFormat.Write(tensor, stream);
        var expected = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy", "f4_v1.npy"));
        Assert.Equal(expected, stream.ToArray());
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 2, 0, 3 })]
    [InlineData(new[] { 1, 3, 4, 5 })]
    public void Save_then_load_gives_the_same_tensor(int[] shape)
    {
        var data = new TestData(shape.Length);
        var tensor = data.Normal(shape);
        var path = Path.Combine(_folder, "t.npy");
        tensor.SaveNpy(path);
        var back = Tensor.LoadNpy(path);
        Expect.Shape(shape, back);
        Assert.Equal(tensor.ToArray(), back.ToArray());
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Saving_a_view_writes_its_elements_in_logical_order()
    {
        var path = Path.Combine(_folder, "t.npy");
        Tensor.Arange(6).Reshape(2, 3).T.SaveNpy(path);
        Expect.Values([0, 3, 1, 4, 2, 5], Tensor.LoadNpy(path));
    }

    [Fact]
    public void Bad_files_are_reported_not_misread()
    {
        var valid = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy", "f4_v1.npy"));
        Assert.Contains("magic string", Fails(Encoding.ASCII.GetBytes("PK\x03\x04 this is a zip")), StringComparison.Ordinal);
        Assert.Contains("truncated", Fails(valid[..^5]), StringComparison.Ordinal);
        Assert.Contains("truncated", Fails(valid[..20]), StringComparison.Ordinal);
        Assert.Contains("truncated", Fails([]), StringComparison.Ordinal);

        var complex = (byte[])valid.Clone();
        var header = Encoding.Latin1.GetString(complex);
        var at = header.IndexOf("<f4", StringComparison.Ordinal);
        complex[at + 1] = (byte)'c';
        Assert.Contains("unsupported .npy element type '<c4'", Fails(complex), StringComparison.Ordinal);

        var version = (byte[])valid.Clone();
        version[6] = 9;
        Assert.Contains("unsupported .npy version 9.0", Fails(version), StringComparison.Ordinal);
    }

    /// <summary>The header is the Python dict it claims to be, read as NumPy reads it; patterns searched in it were fooled.</summary>
    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'note': \"'shape': (1,)\", }", "exactly the keys")]
    [InlineData("{'note': \"'shape': (1,)\", 'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", "exactly the keys")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (6,), }", "the key 'shape' twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,), }", "not a string, True, False or a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", "not a size")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", "larger than a dimension can be")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6,) } trailing", "text after the closing brace")]
    public void Headers_are_parsed_as_the_dict_they_are(string dict, string reason)
    {
        Assert.Contains(reason, Fails(NpyBytes(dict, 24)), StringComparison.Ordinal);
    }

    [Fact]
    public void Headers_that_numpy_writes_still_read()
    {
        using var stream = new MemoryStream(NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", 24));
        Assert.Equal([2, 3], NpyFormat.Read(stream).Shape);
        using var spaced = new MemoryStream(NpyBytes("{ \"descr\" : \"<f4\" , \"fortran_order\" : False , \"shape\" : ( 6 , ) }", 24));
        Assert.Equal([6], NpyFormat.Read(spaced).Shape);
    }

    [Fact]
    public void Bool_bytes_other_than_0_and_1_read_as_true()
    {
        var bytes = NpyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", 0);
        using var stream = new MemoryStream([.. bytes, 0, 1, 2, 7]);
        Assert.Equal([0f, 1f, 1f, 1f], NpyFormat.Read(stream).ToArray());
    }

    [Fact]
    public void Empty_arrays_of_huge_sizes_read()
    {
        using var stream = new MemoryStream(NpyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2147483647, 2147483647, 0), }", 0));
        Assert.Equal([2147483647, 2147483647, 0], NpyFormat.Read(stream).Shape);
    }

    [Fact]
    public void A_failed_save_leaves_no_file_behind()
    {
        var missing = Path.Combine(_folder, "no-such-folder", "t.npy");
        Assert.ThrowsAny<IOException>(() => Tensor.Ones(2).SaveNpy(missing));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    /// <summary>A version 1.0 .npy file with this header dict and <paramref name="dataBytes"/> zero bytes of data.</summary>
    private static byte[] NpyBytes(string dict, int dataBytes)
    {
        var header = dict + new string(' ', 63 - ((10 + dict.Length) % 64)) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8), .. Encoding.Latin1.GetBytes(header), .. new byte[dataBytes]];
    }

    private static string Fails(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return Assert.Throws<InvalidDataException>(() => NpyFormat.Read(stream)).Message;
    }
}
