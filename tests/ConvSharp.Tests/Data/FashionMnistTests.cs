using System.Text.Json;
using ConvSharp.Data;
using ConvSharp.Tests.Support;
using static ConvSharp.Tests.Data.IdxBytes;

namespace ConvSharp.Tests.Data;

/// <summary>FashionMnist and MnistDataset: the subset as tensors, the install hint, files that disagree.</summary>
public sealed class FashionMnistTests : IDisposable
{
    private static readonly string SubsetFolder = Path.GetDirectoryName(Subset("NOTICE.md"))!;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static JsonElement Expected(string split)
    {
        using var stream = File.OpenRead(Subset("expected.json"));
        return JsonDocument.Parse(stream).RootElement.GetProperty("splits").GetProperty(split).Clone();
    }

    [Theory]
    [InlineData(true, "train")]
    [InlineData(false, "t10k")]
    public void Loads_the_subset_as_unit_floats_and_int_labels(bool train, string split)
    {
        var expected = Expected(split);
        var data = FashionMnist.Load(SubsetFolder, train);
        var count = expected.GetProperty("count").GetInt32();

        Expect.Shape([count, 1, 28, 28], data.Images);
        Assert.Equal(count, data.Count);
        Assert.Equal(count, data.Labels.Length);
        Assert.Equal([1, 28, 28], data.ExampleShape);
        Assert.Equal(FashionMnist.Classes, data.Classes);
        Assert.Equal(expected.GetProperty("first_labels").ToInts(), data.Labels[..20]);
        var pixels = data.Images.ToArray();
        foreach (var pixel in expected.GetProperty("pixels").EnumerateArray())
        {
            var (n, r, c) = (pixel.GetProperty("example").GetInt32(), pixel.GetProperty("row").GetInt32(), pixel.GetProperty("col").GetInt32());
            Assert.Equal(pixel.GetProperty("byte").GetInt32() / 255f, pixels[(((n * 28) + r) * 28) + c]); // exactly, as torchvision's ToTensor
        }

        Assert.InRange(pixels.Min(), 0f, 0f);
        Assert.InRange(pixels.Max(), 0.9f, 1f);
        Assert.Equal(expected.GetProperty("first_image_byte_sum").GetInt64() / 255.0, pixels[..784].Sum(v => (double)v), 1e-3);
        Assert.Equal(expected.GetProperty("byte_sum").GetInt64() / 255.0, pixels.Sum(v => (double)v), 1e-1);
    }

    [Fact]
    public void Class_names_are_fashion_mnists_ten()
    {
        Assert.Equal(10, FashionMnist.Classes.Count);
        Assert.Equal("T-shirt/top", FashionMnist.Classes[0]);
        Assert.Equal("Ankle boot", FashionMnist.Classes[9]);
        Assert.Equal("/usr/share/datasets/fashion-mnist", FashionMnist.DefaultFolder);
    }

    [Fact]
    public void Uncompressed_files_are_found_too()
    {
        foreach (var name in new[] { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            File.WriteAllBytes(_temp.File(name), Gunzip(Subset(name + ".gz")));
        }

        var plain = FashionMnist.Load(_temp.Path, train: false);
        var gz = FashionMnist.Load(SubsetFolder, train: false);
        Assert.Equal(gz.Images.ToArray(), plain.Images.ToArray());
        Assert.Equal(gz.Labels, plain.Labels);
    }

    [Fact]
    public void A_missing_folder_or_file_says_how_to_install_the_data_in_one_line()
    {
        var absent = _temp.File("nowhere");
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(absent, train: true));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains($"there is no folder {absent}", e.Message, StringComparison.Ordinal);
        Assert.Contains("pass the folder", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        File.WriteAllBytes(_temp.File("train-images-idx3-ubyte.gz"), Gzip(Images(2, 28, 28)));
        e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_temp.Path, train: true));
        Assert.Contains("has no train-labels-idx1-ubyte.gz (nor train-labels-idx1-ubyte)", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Images_and_labels_that_disagree_are_refused()
    {
        File.WriteAllBytes(_temp.File("train-images-idx3-ubyte.gz"), Gzip(Images(3, 28, 28)));
        File.WriteAllBytes(_temp.File("train-labels-idx1-ubyte.gz"), Gzip(Labels(1, 2)));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_temp.Path, train: true));
        Assert.Contains("holds 3 images", e.Message, StringComparison.Ordinal);
        Assert.Contains("train-labels-idx1-ubyte.gz holds 2 labels", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(_temp.File("train-labels-idx1-ubyte.gz"), Gzip(Labels(1, 10, 2)));
        e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_temp.Path, train: true));
        Assert.Contains("label 10 (example 1) is not one of the 10 classes", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(_temp.File("t10k-images-idx3-ubyte.gz"), Gzip(Images(2, 27, 28)));
        File.WriteAllBytes(_temp.File("t10k-labels-idx1-ubyte.gz"), Gzip(Labels(1, 2)));
        e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_temp.Path, train: false));
        Assert.Contains("are 27x28", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MnistDataset_checks_what_it_is_given()
    {
        Assert.Throws<ArgumentException>(() => new MnistDataset(Tensor.Zeros(3, 28, 28), [0, 1, 2]));
        Assert.Throws<ArgumentException>(() => new MnistDataset(Tensor.Zeros(3, 1, 2, 2), [0, 1]));
        Assert.Throws<ArgumentException>(() => new MnistDataset(Tensor.Zeros(2, 1, 2, 2), [0, -1]));
        Assert.Throws<ArgumentException>(() => new MnistDataset(Tensor.Zeros(2, 1, 2, 2), [0, 3], ["a", "b", "c"]));

        // A view is copied, so that examples are rows of one array.
        var view = Tensor.Arange(16).Reshape(2, 1, 2, 4)[.., .., .., 1..3];
        var data = new MnistDataset(view, [0, 1]);
        var row = new float[4];
        Assert.Equal(1, data.CopyExample(1, row));
        Assert.Equal([9f, 10f, 13f, 14f], row);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.CopyExample(2, row));
        Assert.Throws<ArgumentException>(() => data.CopyExample(0, new float[3]));
    }

    /// <summary>The whole dataset, where Debian's package is installed: 60,000 and 10,000 examples, and the subset is its start.</summary>
    [Fact]
    public void The_installed_dataset_loads_whole_and_starts_with_the_subset()
    {
        Assert.SkipUnless(Directory.Exists(FashionMnist.DefaultFolder), $"{FashionMnist.DefaultFolder} is not installed (apt-get install dataset-fashion-mnist)");
        var test = FashionMnist.Load(train: false);
        Expect.Shape([10000, 1, 28, 28], test.Images);
        var subset = FashionMnist.Load(SubsetFolder, train: false);
        Assert.Equal(subset.Labels, test.Labels[..subset.Count]);
        Assert.Equal(subset.Images.ToArray(), test.Images.ToArray()[..(subset.Count * 784)]);
        Assert.Equal(Expected("train").GetProperty("full_count").GetInt32(), IdxFile.ReadLabels(Path.Combine(FashionMnist.DefaultFolder, "train-labels-idx1-ubyte.gz")).Count);
    }
}
