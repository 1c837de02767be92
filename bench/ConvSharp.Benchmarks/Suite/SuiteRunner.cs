namespace ConvSharp.Benchmarks.Suite;

internal static class SuiteRunner
{
    public static int Run(FileInfo? suite, string? cases, int threads, FileInfo? json) => throw new NotImplementedException("coming");
}
