using System.Xml.Linq;

namespace ConvSharp.Tests;

/// <summary>Promises about the repository itself.</summary>
public class ProjectTests
{
    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ConvSharp.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ConvSharp.slnx not found above the test binaries");
    }

    [Fact]
    public void The_core_library_has_no_package_dependencies()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "src", "ConvSharp", "ConvSharp.csproj"));
        Assert.Empty(project.Descendants("PackageReference"));
        Assert.Empty(project.Descendants("ProjectReference"));
    }

    [Fact]
    public void The_readme_gives_the_two_commands()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.Contains("dotnet run --project src/ConvSharp.Cli -c Release -- tour", readme, StringComparison.Ordinal);
        Assert.Contains("dotnet test", readme, StringComparison.Ordinal);
    }
}
