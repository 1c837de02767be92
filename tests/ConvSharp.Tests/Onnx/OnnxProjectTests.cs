using System.Xml.Linq;

namespace ConvSharp.Tests.Onnx;

/// <summary>Promises about the ConvSharp.Onnx project: a package of its own, beside a core that stays dependency-free.</summary>
[Trait("Category", "Onnx")]
public class OnnxProjectTests
{
    [Fact]
    public void ConvSharp_Onnx_is_a_described_package_depending_on_the_core_and_OnnxSharp()
    {
        var project = XDocument.Load(Path.Combine(ProjectTests.RepositoryRoot(), "src", "ConvSharp.Onnx", "ConvSharp.Onnx.csproj"));
        Assert.Equal("true", project.Descendants("IsPackable").Single().Value);
        Assert.False(string.IsNullOrWhiteSpace(project.Descendants("Description").Single().Value));
        Assert.Equal(
            ["Google.Protobuf", "OnnxSharp"],
            project.Descendants("PackageReference").Select(p => p.Attribute("Include")!.Value).Order(StringComparer.Ordinal));
        Assert.Equal(@"..\ConvSharp\ConvSharp.csproj", project.Descendants("ProjectReference").Single().Attribute("Include")!.Value);
    }

    [Fact]
    public void The_solution_builds_it()
    {
        var solution = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "ConvSharp.slnx"));
        Assert.Contains("src/ConvSharp.Onnx/ConvSharp.Onnx.csproj", solution, StringComparison.Ordinal);
    }
}
