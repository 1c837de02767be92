using System.Text.Json;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests;

/// <summary>The kernel catalogue against OpenCV's definitions (Fixtures/kernels.json, from tools/fixtures/make_kernel_fixtures.py).</summary>
public class KernelCatalogueTests
{
    private static readonly Lazy<JsonElement> OpenCv = new(() =>
        JsonDocument.Parse(File.ReadAllText(Photos.Fixture("kernels.json"))).RootElement.GetProperty("kernels"));

    public static TheoryData<string> OpenCvNames() => ["sobel-x", "sobel-y", "scharr-x", "scharr-y", "gaussian:1", "gaussian:1.5", "gaussian:2.5", "laplacian", "box:5"];

    [Theory]
    [MemberData(nameof(OpenCvNames))]
    public void Catalogue_kernels_are_opencvs(string name)
    {
        var rows = OpenCv.Value.GetProperty(name);
        var expected = rows.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => (float)v.GetDouble()).ToArray();
        var kernel = Kernels.FromName(name);
        Assert.Equal([rows.GetArrayLength(), rows[0].GetArrayLength()], kernel.Shape);
        Expect.Close(expected, kernel.ToArray(), rtol: 1e-5, atol: 1e-7, what: name);
    }

    [Fact]
    public void Every_catalogue_entry_builds_and_has_its_defining_sum()
    {
        foreach (var (name, _) in Kernels.Catalogue)
        {
            var concrete = name.Contains(':', StringComparison.Ordinal) ? name.Split(':')[0] + (name.StartsWith("box", StringComparison.Ordinal) || name.StartsWith("derivative", StringComparison.Ordinal) ? ":3" : ":1.2") : name;
            var kernel = Kernels.FromName(concrete);
            var sum = kernel.Sum().Item();
            var expected = concrete.Split(':')[0] switch
            {
                "gaussian" or "box" or "sharpen" => 1f,
                "emboss" => 1f,
                _ => 0f,
            };
            Assert.True(Math.Abs(sum - expected) < 1e-5, $"{concrete}: taps sum to {sum}");
        }
    }

    [Fact]
    public void Laplacian_of_gaussian_is_a_symmetric_negative_centred_blob_detector()
    {
        var log = Kernels.FromName("log:1.4");
        Assert.Equal([11, 11], log.Shape);
        Assert.True(log[5, 5].Item() < 0);
        Assert.Equal(log.ToArray(), log.T.Contiguous().ToArray());
        Assert.Equal(log.ToArray(), log.Flip(0).Contiguous().ToArray());
        // The centre is its most negative tap and the ring around it positive.
        Assert.Equal(log.ToArray().Min(), log[5, 5].Item());
        Assert.True(log[5, 10].Item() > 0);
    }

    [Theory]
    [InlineData("sobelx", "unknown kernel 'sobelx'")]
    [InlineData("gaussian", "needs a number")]
    [InlineData("gaussian:-1", "sigma")]
    [InlineData("box:0", "box")]
    [InlineData("sobel-x:3", "takes no parameter")]
    [InlineData("derivative:x", "derivative")]
    public void Bad_names_say_what_is_wrong(string name, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Kernels.FromName(name));
        Assert.Contains(message, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
