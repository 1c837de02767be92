using System.Security.Cryptography;
using ConvSharp.Imaging;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary><c>convsharp apply</c> with several files and folders, as a shell glob gives them: where each goes, and what is refused before any work.</summary>
public class ManyInputsTests
{
    private static void Photo(string path, int size = 16) => ImageFile.Save(ImageFile.Load(Photos.Data("camera.png"))[.., ..size, ..size], path);

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Files_and_folders_go_into_one_folder_under_their_own_names()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("in"));
        Directory.CreateDirectory(folder.File("set", "sub"));
        Photo(folder.File("in", "a.png"), 16);
        Photo(folder.File("in", "b.png"), 20);
        Photo(folder.File("set", "sub", "c.png"), 24);
        var (code, text, error) = CliRunner.Run(
            "apply", folder.File("in", "a.png"), folder.File("in", "b.png"), folder.File("set"), "-k", "box:3", "--padding", "valid", "-o", folder.File("out"));
        Assert.True(code == 0, error);
        Assert.Equal("", text);
        Assert.Contains("filtered 3 of 3 images", error, StringComparison.Ordinal);
        // Each output is its own input filtered: a 3×3 valid box takes 2 pixels off each side.
        Assert.Equal([14, 14], ImageFile.Load(folder.File("out", "a.png")).Shape[1..]);
        Assert.Equal([18, 18], ImageFile.Load(folder.File("out", "b.png")).Shape[1..]);
        Assert.Equal([22, 22], ImageFile.Load(folder.File("out", "sub", "c.png")).Shape[1..]);
    }

    [Fact]
    public void The_same_file_named_twice_is_filtered_once()
    {
        using var folder = new TempFolder();
        Photo(folder.File("a.png"));
        var (code, _, error) = CliRunner.Run("apply", folder.File("a.png"), folder.File("a.png"), "-k", "edge", "-o", folder.File("out"));
        Assert.True(code == 0, error);
        Assert.Contains("filtered 1 of 1 images", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no output", 2, "several inputs need -o/--output DIR")]
    [InlineData("output a file", 2, "is a file; several inputs need an output folder")]
    [InlineData("output a file name", 2, "names a file, but several inputs need an output folder")]
    [InlineData("output to stdout", 2, "--output - writes one picture to stdout")]
    [InlineData("one name twice", 2, "would both be written as")]
    [InlineData("over an input", 2, "would replace the input")]
    [InlineData("missing", 1, "nope.png: no such file or folder")]
    public void Refusals_come_before_anything_is_written(string kind, int code, string message)
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("one"));
        Directory.CreateDirectory(folder.File("two"));
        Photo(folder.File("one", "x.png"));
        Photo(folder.File("two", "x.png"));
        Photo(folder.File("one", "y.png"));
        File.WriteAllText(folder.File("taken.png"), "a file");
        var before = Hash(folder.File("one", "x.png"));
        string[] both = [folder.File("one", "x.png"), folder.File("one", "y.png")];
        string[] args = kind switch
        {
            "no output" => ["apply", .. both, "-k", "edge"],
            "output a file" => ["apply", .. both, "-k", "edge", "-o", folder.File("taken.png")],
            "output a file name" => ["apply", .. both, "-k", "edge", "-o", folder.File("new.png")],
            "output to stdout" => ["apply", .. both, "-k", "edge", "-o", "-"],
            "one name twice" => ["apply", folder.File("one"), folder.File("two", "x.png"), "-k", "edge", "-o", folder.File("out")],
            "over an input" => ["apply", .. both, "-k", "edge", "-o", folder.File("one")],
            _ => ["apply", folder.File("one", "x.png"), folder.File("one", "nope.png"), "-k", "edge", "-o", folder.File("out")],
        };
        var line = CliRunner.RunExpectingOneLineError(code, args);
        Assert.Contains(message, line, StringComparison.Ordinal);
        if (kind == "one name twice")
        {
            // Both inputs are named, so the user knows which to rename.
            Assert.Contains(folder.File("one", "x.png"), line, StringComparison.Ordinal);
            Assert.Contains(folder.File("two", "x.png"), line, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(folder.File("out")));
        Assert.False(File.Exists(folder.File("new.png")));
        Assert.Equal(["x.png", "y.png"], Directory.EnumerateFiles(folder.File("one")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(before, Hash(folder.File("one", "x.png")));
        Assert.Equal("a file", File.ReadAllText(folder.File("taken.png")));
    }

    [Fact]
    public void A_folder_of_that_name_ending_in_a_slash_is_taken_as_a_folder()
    {
        using var folder = new TempFolder();
        Photo(folder.File("a.png"));
        Photo(folder.File("b.png"));
        var (code, _, error) = CliRunner.Run("apply", folder.File("a.png"), folder.File("b.png"), "-k", "edge", "-o", folder.File("odd.png") + "/");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(folder.File("odd.png", "a.png")) && File.Exists(folder.File("odd.png", "b.png")));
    }
}
