using System.Text.Json;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Commands;

/// <summary>
/// What every command does alike (issue 11): it calls itself convsharp, shows examples in its
/// help, spells its output -o/--output, keeps stdout for its result, refuses an empty path
/// naming the option, and (kernels, rf) prints JSON a script can read.
/// </summary>
[Collection(GlobalGeneratorTests.Name)]
public class CliHabitsTests
{
    [Theory]
    [InlineData("apply")]
    [InlineData("learn")]
    [InlineData("kernels")]
    [InlineData("rf")]
    [InlineData("tour")]
    [InlineData("lenet train")]
    [InlineData("lenet eval")]
    [InlineData("lenet export")]
    public void Help_calls_the_command_convsharp_and_shows_examples_that_parse(string command)
    {
        var (code, text, error) = CliRunner.Run([.. command.Split(' '), "--help"]);
        Assert.True(code == 0, error);
        Assert.Contains($"Usage:\n  convsharp {command} ", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var examples = text.ReplaceLineEndings("\n").Split("Examples:\n")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(examples.Length, 2, 4);
        foreach (var example in examples)
        {
            Assert.StartsWith($"  convsharp {command}", example, StringComparison.Ordinal);
            // Each example is a command line this version accepts (parsed, not run).
            var words = example.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].TakeWhile(w => w is not ("|" or "<" or ">" or "2>"));
            Assert.Empty(Cli.CliApp.Build().Parse([.. words]).Errors);
        }
    }

    [Fact]
    public void The_top_level_help_and_errors_say_convsharp_too()
    {
        var (code, text, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:\n  convsharp [command] [options]", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("ConvSharp.Cli ", text, StringComparison.Ordinal);
        Assert.StartsWith("convsharp apply: error: ", CliRunner.RunExpectingOneLineError(2, "apply", "x.png"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lenet", "eval", "--weights", "")]
    [InlineData("lenet", "eval", "--weights", "w.safetensors", "--predictions", "")]
    [InlineData("lenet", "eval", "--weights", "w.safetensors", "--data", "")]
    [InlineData("lenet", "train", "-o", "")]
    [InlineData("lenet", "export", "--weights", "")]
    [InlineData("lenet", "export", "--weights", "w.safetensors", "-o", "")]
    [InlineData("apply", "", "-k", "edge")]
    [InlineData("apply", "a.png", "-k", "edge", "-o", "")]
    [InlineData("learn", "", "b.png", "--size", "3")]
    [InlineData("learn", "--output", "")]
    [InlineData("kernels", "edge", "-o", "")]
    [InlineData("tour", "--out", "")]
    public void An_empty_path_is_refused_naming_the_option(params string[] args)
    {
        var name = Array.IndexOf(args, "") is var at && args[at - 1].StartsWith('-') ? args[at - 1] : args[0] == "apply" ? "<inputs>" : "<input>";
        var line = CliRunner.RunExpectingOneLineError(2, args);
        Assert.Contains($"{name} must be a path, but got an empty string", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_is_o_or_output_everywhere_and_the_old_spellings_still_work()
    {
        using var folder = new TempFolder();
        foreach (var (args, file) in new[]
        {
            (new[] { "kernels", "edge", "-o", folder.File("a.png") }, "a.png"),
            (["kernels", "edge", "--output", folder.File("b.png")], "b.png"),
            (["kernels", "edge", "--png", folder.File("c.png")], "c.png"),
            (["tour", "-o", folder.File("tour")], Path.Combine("tour", "6.2.4-learned-kernel.png")),
            (["tour", "--out", folder.File("old")], Path.Combine("old", "6.2.4-learned-kernel.png")),
        })
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.True(code == 0, error);
            Assert.True(File.Exists(folder.File(file)), file);
        }

        foreach (var command in new[] { "learn", "lenet train", "apply" })
        {
            var help = CliRunner.Run([.. command.Split(' '), "--help"]).Out;
            Assert.Matches(@"-o, [-a-z, ]*--output <output>", help); // aliases sort by name: -o, --out, --output
        }
    }

    [Fact]
    public void Results_go_to_stdout_and_everything_else_to_stderr()
    {
        using var folder = new TempFolder();
        var (_, text, error) = CliRunner.Run("tour", "-o", folder.Path);
        Assert.Contains("tensor([[19., 25.],", text, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote", text, StringComparison.Ordinal);
        Assert.Contains("wrote " + folder.File("6.2.4-learned-kernel.png"), error, StringComparison.Ordinal);

        (_, text, error) = CliRunner.Run("kernels");
        Assert.Contains("sobel-x", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Show one with", text, StringComparison.Ordinal);
        Assert.Contains("Show one with", error, StringComparison.Ordinal);

        (_, text, error) = CliRunner.Run("kernels", "sobel-x", "-o", folder.File("k.png"));
        Assert.StartsWith("sobel-x: 3×3, taps sum to 0", text, StringComparison.Ordinal);
        Assert.Equal($"wrote {folder.File("k.png")}", error.Trim());

        (_, text, error) = CliRunner.Run("rf", "conv3,conv3");
        Assert.Contains("sees 5×5 input pixels", text, StringComparison.Ordinal);
        Assert.Equal("", error);
    }

    [Fact]
    public void Kernels_json_holds_the_taps_exactly()
    {
        var (code, text, error) = CliRunner.Run("kernels", "sobel-y", "--json");
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.Equal("sobel-y", root.GetProperty("name").GetString());
        Assert.Equal([3, 3], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(0f, root.GetProperty("sum").GetSingle());
        var taps = root.GetProperty("taps").EnumerateArray().SelectMany(row => row.EnumerateArray()).Select(e => e.GetSingle());
        Assert.Equal(Kernels.FromName("sobel-y").ToArray(), taps);

        // Floats are written shortest-exact: 0.1f as 0.1, and it reads back as the same float.
        (_, text, _) = CliRunner.Run("kernels", "[[0.1, -0.3]]", "--json");
        Assert.Contains("0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0.100000", text, StringComparison.Ordinal);
        using var inline = JsonDocument.Parse(text);
        Assert.Equal([0.1f, -0.3f], inline.RootElement.GetProperty("taps")[0].EnumerateArray().Select(e => e.GetSingle()));

        // Taps whose float sum would be infinity still make JSON: the sum is taken in double.
        (code, text, error) = CliRunner.Run("kernels", "[[3e38, 3e38]]", "--json");
        Assert.True(code == 0, error);
        using var huge = JsonDocument.Parse(text);
        Assert.Equal(6e38, huge.RootElement.GetProperty("sum").GetDouble(), 1e33);
    }

    [Fact]
    public void Kernels_json_lists_the_whole_catalogue()
    {
        var (code, text, error) = CliRunner.Run("kernels", "--json");
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(text);
        var kernels = document.RootElement.GetProperty("kernels").EnumerateArray().ToList();
        Assert.Equal(Kernels.Catalogue.Select(c => c.Name), kernels.Select(k => k.GetProperty("name").GetString()));
        var gaussian = kernels.Single(k => k.GetProperty("name").GetString()!.StartsWith("gaussian", StringComparison.Ordinal));
        var example = Kernels.FromName(gaussian.GetProperty("example").GetString()!);
        Assert.Equal(example.Shape, gaussian.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void The_cli_writes_json_without_reflection_so_it_can_be_published_NativeAOT()
    {
        // JsonSerializer without a source-generated context, and JsonNode's JsonArray.Add<T>, need
        // reflection (IL2026/IL3050 under IsAotCompatible); Utf8JsonWriter (CommandLine/JsonText.cs) does not.
        var sources = Directory.EnumerateFiles(Path.Combine(ProjectTests.RepositoryRoot(), "src", "ConvSharp.Cli"), "*.cs", SearchOption.AllDirectories);
        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            Assert.False(text.Contains("JsonSerializer.", StringComparison.Ordinal) || text.Contains("System.Text.Json.Nodes", StringComparison.Ordinal), file);
        }
    }

    [Fact]
    public void Rf_json_holds_every_layer_and_the_stacks_numbers()
    {
        var (code, text, error) = CliRunner.Run("rf", "conv3x3,conv3x3s2,pool2,conv3x3d2", "--json");
        Assert.True(code == 0, error);
        var expected = ReceptiveField.Compute(ReceptiveField.Parse("conv3x3,conv3x3s2,pool2,conv3x3d2"));
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(4, layers.Count);
        Assert.Equal(expected.Select(s => s.Size), layers.Select(l => l.GetProperty("receptive_field").GetInt32()));
        Assert.Equal(expected.Select(s => s.Jump), layers.Select(l => l.GetProperty("jump").GetInt32()));
        Assert.Equal(expected.Select(s => s.Start), layers.Select(l => l.GetProperty("start").GetDouble()));
        Assert.Equal(2, layers[3].GetProperty("dilation").GetInt32());
        Assert.Equal(23, root.GetProperty("receptive_field").GetInt32());
        Assert.Equal(4, root.GetProperty("jump").GetInt32());
    }
}
