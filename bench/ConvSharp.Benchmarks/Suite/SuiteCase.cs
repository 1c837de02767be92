using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConvSharp.Benchmarks.Suite;

/// <summary>One case of bench/suite.json: a convolution's sizes and options.</summary>
internal sealed record SuiteCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("c")] int C,
    [property: JsonPropertyName("h")] int H,
    [property: JsonPropertyName("w")] int W,
    [property: JsonPropertyName("oc")] int OC,
    [property: JsonPropertyName("kh")] int KH,
    [property: JsonPropertyName("kw")] int KW,
    [property: JsonPropertyName("stride")] int Stride,
    [property: JsonPropertyName("padding")] int Padding,
    [property: JsonPropertyName("dilation")] int Dilation,
    [property: JsonPropertyName("groups")] int Groups)
{
    public int OH => ((H + (2 * Padding) - (Dilation * (KH - 1)) - 1) / Stride) + 1;

    public int OW => ((W + (2 * Padding) - (Dilation * (KW - 1)) - 1) / Stride) + 1;

    /// <summary>2·N·OC·OH·OW·(C/groups)·KH·KW, as the suite file defines it.</summary>
    public double ForwardFlops => 2.0 * N * OC * OH * OW * (C / Groups) * KH * KW;

    public static IReadOnlyList<SuiteCase> Load(FileInfo? file)
    {
        var path = file?.FullName ?? Find();
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("cases").Deserialize<List<SuiteCase>>()
            ?? throw new InvalidDataException($"{path} has no cases");
    }

    /// <summary>bench/suite.json above the working folder or the program.</summary>
    private static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "suite.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("bench/suite.json not found above the working folder; pass --suite FILE");
    }
}
