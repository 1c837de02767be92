namespace ConvSharp.Tests.Support;

/// <summary>Paths to the real photographs in data/images and the test fixtures.</summary>
internal static class Photos
{
    public static string Data(string name) => Path.Combine(ProjectTests.RepositoryRoot(), "data", "images", name);

    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);
}
