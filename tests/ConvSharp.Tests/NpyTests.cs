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

    [Fact]
    public void A_failed_save_leaves_no_file_behind()
    {
        var missing = Path.Combine(_folder, "no-such-folder", "t.npy");
        Assert.ThrowsAny<IOException>(() => Tensor.Ones(2).SaveNpy(missing));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    private static string Fails(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return Assert.Throws<InvalidDataException>(() => NpyFormat.Read(stream)).Message;
    }
}
