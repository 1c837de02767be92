using System.Text.Json;

namespace ConvSharp.Tests.Support;

/// <summary>
/// The PyTorch parity cases (tools/fixtures/make_parity_fixtures.py): index.json lists the cases
/// and where each tensor lies in values.npy, one float32 vector read with ConvSharp's own reader.
/// </summary>
internal static class ParityFixtures
{
    private static readonly Lazy<(JsonElement Index, Tensor Values)> Data = new(() =>
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "parity");
        using var stream = File.OpenRead(Path.Combine(folder, "index.json"));
        var index = JsonDocument.Parse(stream).RootElement.Clone();
        return (index, Tensor.LoadNpy(Path.Combine(folder, "values.npy")));
    });

    public static JsonElement[] Cases => [.. Data.Value.Index.GetProperty("cases").EnumerateArray()];

    /// <summary>A case's tensor as a fresh leaf (its own storage), or null when the case has none of that name.</summary>
    public static Tensor? Get(JsonElement testCase, string name, bool requiresGrad = false)
    {
        if (!testCase.GetProperty("tensors").TryGetProperty(name, out var entry))
        {
            return null;
        }

        var offset = entry[0].GetInt32();
        var shape = entry[1].ToInts();
        var count = shape.Aggregate(1, (a, b) => a * b);
        var tensor = Data.Value.Values.Narrow(0, offset, count).Reshape(shape).Clone();
        tensor.RequiresGrad = requiresGrad;
        return tensor;
    }

    /// <summary>Any of the padding spellings: an int, [h, w], "same", "valid" or {top, bottom, left, right}.</summary>
    public static Padding ToPadding(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String when element.GetString() == "same" => Padding.Same,
        JsonValueKind.String => Padding.Valid,
        JsonValueKind.Object => Padding.Explicit(
            element.GetProperty("top").GetInt32(), element.GetProperty("bottom").GetInt32(),
            element.GetProperty("left").GetInt32(), element.GetProperty("right").GetInt32()),
        _ => (element.ToSize2().H, element.ToSize2().W),
    };
}
