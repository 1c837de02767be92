using ConvSharp.Imaging;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary><c>convsharp apply</c> on real photographs: one file, a folder, shards, and every kind of bad input.</summary>
public class ApplyCommandTests
{
    [Fact]
    public void One_photo_is_filtered_and_its_raw_response_is_the_libraries_answer()
    {
        using var folder = new TempFolder();
        var output = folder.File("edges.png");
        var (code, text, error) = CliRunner.Run("apply", Photos.Data("camera.png"), "-k", "sobel-x", "--mode", "zeros", "--npy", "-o", output);
        Assert.True(code == 0, error);
        Assert.Equal("", text); // the files are the result; the note about them is not
        Assert.Contains("map: signed", error, StringComparison.Ordinal);
        var picture = ImageFile.Load(output);
        Assert.Equal([3, 512, 512], picture.Shape);

        var image = ImageFile.Load(Photos.Data("camera.png"));
        var expected = Functional.Conv2d(image.Unsqueeze(0), Kernels.SobelX().Reshape(1, 1, 3, 3), padding: 1).Squeeze(0);
        var response = Tensor.LoadNpy(folder.File("edges.npy"));
        Assert.Equal(expected.Shape, response.Shape);
        Assert.True(Tensor.AllClose(response, expected, rtol: 0, atol: 1e-5f), "the raw response differs from Functional.Conv2d");
    }

    [Fact]
    public void Convolve_flips_the_kernel_and_valid_padding_shrinks_the_output()
    {
        using var folder = new TempFolder();
        Assert.Equal(0, CliRunner.Run("apply", Photos.Data("camera.png"), "-k", "[[1,2,3]]", "--convolve", "--padding", "valid", "--npy", "-o", folder.File("a.png")).Code);
        Assert.Equal(0, CliRunner.Run("apply", Photos.Data("camera.png"), "-k", "[[3,2,1]]", "--padding", "valid", "--npy", "-o", folder.File("b.png")).Code);
        var (a, b) = (Tensor.LoadNpy(folder.File("a.npy")), Tensor.LoadNpy(folder.File("b.npy")));
        Assert.Equal([1, 512, 510], a.Shape);
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void Colour_photos_are_filtered_channel_by_channel_with_stride_and_a_kernel_file()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("blur.json"), """{ "kernel": [[0.25, 0.25], [0.25, 0.25]], "bias": 0.1 }""");
        var (code, _, error) = CliRunner.Run(
            "apply", Photos.Data("coffee.png"), "-k", folder.File("blur.json"), "--stride", "2", "--padding", "valid", "--npy", "-o", folder.File("half.jpg"));
        Assert.True(code == 0, error);
        var response = Tensor.LoadNpy(folder.File("half.npy"));
        Assert.Equal([3, 200, 300], response.Shape);
        var image = ImageFile.Load(Photos.Data("coffee.png"));
        // Channel 1 (green), output pixel (10, 20): the mean of the 2×2 block at (20, 40), plus the bias.
        var block = image[1, 20..22, 40..42].Mean().Item();
        Assert.Equal(block + 0.1f, response[1, 10, 20].Item(), 1e-5f);
        Assert.Equal([3, 200, 300], ImageFile.Load(folder.File("half.jpg")).Shape);
    }

    [Fact]
    public void A_folder_keeps_its_names_and_a_bad_file_is_reported_while_the_rest_go_on()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var photo = ImageFile.Load(Photos.Data("coffee.png"));
        var names = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var sub = i % 3 == 0 ? "" : $"set{i % 3}";
            Directory.CreateDirectory(input.File(sub));
            var name = Path.Combine(sub, $"crop{i}.{(i % 2 == 0 ? "png" : "jpg")}");
            ImageFile.Save(photo[.., (i * 10)..((i * 10) + 40), (i * 20)..((i * 20) + 60)], input.File(name));
            names.Add(name);
        }

        File.WriteAllText(input.File("set1", "broken.png"), "not a picture");
        File.WriteAllBytes(input.File("empty.jpg"), []);
        File.WriteAllText(input.File("README.txt"), "not an image either, and not one by its name");

        var (code, text, error) = CliRunner.Run("apply", input.Path, "-k", "laplacian", "-o", output.Path, "--threads", "2");
        Assert.Equal(1, code);
        Assert.Equal("", text);
        Assert.Contains("filtered 12 of 14 images", error, StringComparison.Ordinal);
        Assert.Contains("1 file(s) without an image extension", error, StringComparison.Ordinal);
        Assert.Contains("2 of 14 images failed", error, StringComparison.Ordinal);
        Assert.Contains("broken.png", error, StringComparison.Ordinal);
        Assert.Contains("empty.jpg: the file is empty", error, StringComparison.Ordinal);
        foreach (var name in names)
        {
            var result = ImageFile.Load(output.File(name));
            Assert.Equal([3, 40, 60], result.Shape);
        }

        var written = Directory.EnumerateFiles(output.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(12, written.Count);
        Assert.DoesNotContain(written, path => path.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Shards_split_a_folder_into_disjoint_parts_that_cover_it()
    {
        using var input = new TempFolder();
        var image = ImageFile.Load(Photos.Data("camera.png"))[.., ..16, ..16];
        for (var i = 0; i < 30; i++)
        {
            ImageFile.Save(image, input.File($"tile{i:D2}.png"));
        }

        var seen = new List<string>();
        for (var shard = 1; shard <= 3; shard++)
        {
            using var output = new TempFolder();
            var (code, _, error) = CliRunner.Run("apply", input.Path, "-k", "box:3", "-o", output.Path, "--shard", $"{shard}/3");
            Assert.True(code == 0, error);
            var part = Directory.EnumerateFiles(output.Path).Select(Path.GetFileName).ToList();
            Assert.NotEmpty(part);
            seen.AddRange(part!);
        }

        Assert.Equal(30, seen.Count);
        Assert.Equal(30, seen.Distinct().Count());
    }

    [Fact]
    public void Skip_existing_resumes_without_redoing_work()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var image = ImageFile.Load(Photos.Data("camera.png"))[.., ..16, ..16];
        ImageFile.Save(image, input.File("a.png"));
        ImageFile.Save(image, input.File("b.png"));
        File.WriteAllText(output.File("a.png"), "already here");
        var (code, _, error) = CliRunner.Run("apply", input.Path, "-k", "edge", "-o", output.Path, "--skip-existing");
        Assert.Equal(0, code);
        Assert.Contains("1 already done", error, StringComparison.Ordinal);
        Assert.Equal("already here", File.ReadAllText(output.File("a.png")));
        Assert.True(File.Exists(output.File("b.png")));
    }

    [Theory]
    [InlineData("missing", "no such file", 1)]
    [InlineData("malformed", "malformed kernel text", 2)]
    [InlineData("ragged", "rows must have equal lengths", 2)]
    [InlineData("unknown", "unknown kernel 'sobelx'", 2)]
    [InlineData("huge", "larger than the image", 1)]
    [InlineData("padding", "cannot read padding", 2)]
    [InlineData("shard", "cannot read shard", 2)]
    [InlineData("corrupt", "not an image", 1)]
    [InlineData("extension", ".png, .jpg/.jpeg or .webp", 2)]
    [InlineData("channels", "does not fit an image with 1 channel", 1)]
    [InlineData("folder", "a folder input needs -o/--output DIR", 2)]
    [InlineData("stride", "--stride must be ≥ 1", 2)]
    [InlineData("same folder", "is the input folder", 2)]
    public void Bad_input_gets_one_line_and_a_non_zero_exit(string kind, string message, int code)
    {
        using var folder = new TempFolder();
        var camera = Photos.Data("camera.png");
        File.WriteAllText(folder.File("corrupt.png"), "<html>not a png</html>");
        var args = kind switch
        {
            "missing" => ["apply", folder.File("nope.png"), "-k", "edge"],
            "malformed" => ["apply", camera, "-k", "[[1, -1"],
            "ragged" => ["apply", camera, "-k", "[[1, 2], [3]]"],
            "unknown" => ["apply", camera, "-k", "sobelx"],
            "huge" => ["apply", Photos.Fixture("images", "gray.png"), "-k", "box:31"],
            "padding" => ["apply", camera, "-k", "edge", "--padding", "wide"],
            "shard" => ["apply", folder.Path, "-k", "edge", "-o", folder.File("out"), "--shard", "4/3"],
            "corrupt" => ["apply", folder.File("corrupt.png"), "-k", "edge", "-o", folder.File("x.png")],
            "extension" => ["apply", camera, "-k", "edge", "-o", folder.File("x.tiff")],
            "channels" => ["apply", camera, "-k", "[[[1]], [[2]]]"],
            "folder" => ["apply", folder.Path, "-k", "edge"],
            "same folder" => ["apply", folder.Path, "-k", "edge", "-o", folder.Path + "/"],
            _ => new[] { "apply", camera, "-k", "edge", "--stride", "0" },
        };
        var line = CliRunner.RunExpectingOneLineError(code, args);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Equal(["corrupt.png"], Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }


    [Fact]
    public void Unknown_options_are_parse_errors()
    {
        var (code, _, error) = CliRunner.Run("apply", Photos.Data("camera.png"), "-k", "edge", "--colour", "blue");
        Assert.NotEqual(0, code);
        Assert.Contains("--colour", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compression_trades_size_for_time_and_never_changes_the_picture()
    {
        using var folder = new TempFolder();
        var sizes = new List<long>();
        foreach (var level in new[] { "0", "1", "9" })
        {
            var output = folder.File($"edges{level}.png");
            var (code, _, error) = CliRunner.Run("apply", Photos.Data("coffee.png"), "-k", "sobel-x", "--map", "abs", "--compression", level, "-o", output);
            Assert.True(code == 0, error);
            sizes.Add(new FileInfo(output).Length);
        }

        Assert.True(sizes[0] > sizes[1] && sizes[1] > sizes[2], $"sizes at 0, 1, 9: {string.Join(", ", sizes)}");
        var stored = ImageFile.Load(folder.File("edges0.png")).ToArray();
        Assert.Equal(stored, ImageFile.Load(folder.File("edges1.png")).ToArray());
        Assert.Equal(stored, ImageFile.Load(folder.File("edges9.png")).ToArray());

        foreach (var bad in new[] { "-1", "10", "2147483647" })
        {
            var line = CliRunner.RunExpectingOneLineError(2, "apply", Photos.Data("coffee.png"), "-k", "sobel-x", "--compression", bad, "-o", folder.File("x.png"));
            Assert.Contains("--compression must be between 0 and 9", line, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(folder.File("x.png")));
    }

    [Fact]
    public void Profile_tells_where_the_time_went_stage_by_stage()
    {
        using var folder = new TempFolder();
        var (code, _, error) = CliRunner.Run("apply", Photos.Data("camera.png"), "-k", "sobel-x", "--profile", "-o", folder.File("edges.png"));
        Assert.True(code == 0, error);
        foreach (var stage in new[] { "decode", "tofloat", "filter", "map", "quantise", "encode", "write" })
        {
            Assert.Matches($@"\n  {stage} +[0-9]+\.[0-9]{{2}} ms +[0-9]+\.[0-9] %", error);
        }

        Assert.Contains("profile: 1 image, ", error, StringComparison.Ordinal);
    }
}
