using System.Text.Json;

namespace ConvSharp.Tests.Support;

/// <summary>
/// Reference values computed by PyTorch (tools/fixtures/make_foundation_fixtures.py), loaded
/// once. Tensors are stored as {"shape": [...], "data": [...]} with exact float32 values.
/// </summary>
internal static class Fixtures
{
    private static readonly Lazy<JsonElement> FoundationRoot = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "foundation.json");
        using var stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    });

    public static JsonElement Foundation => FoundationRoot.Value;

    public static IEnumerable<JsonElement> Cases(string section) => Foundation.GetProperty(section).EnumerateArray();

    public static Tensor ToTensor(this JsonElement element) =>
        Tensor.FromArray(
            [.. element.GetProperty("data").EnumerateArray().Select(Number)],
            [.. element.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32())]);

    public static Tensor? ToTensorOrNull(this JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : element.ToTensor();

    public static float[] ToFloats(this JsonElement element) => [.. element.EnumerateArray().Select(Number)];

    /// <summary>A float, or one of the strings "nan", "inf", "-inf" that stand for what JSON cannot hold.</summary>
    private static float Number(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetSingle(),
        _ => v.GetString() switch
        {
            "nan" => float.NaN,
            "inf" => float.PositiveInfinity,
            "-inf" => float.NegativeInfinity,
            var other => throw new FormatException($"not a fixture number: {other}"),
        },
    };

    public static int[] ToInts(this JsonElement element) => [.. element.EnumerateArray().Select(v => v.GetInt32())];

    /// <summary>An int or a [h, w] pair, as the fixture script writes PyTorch's int-or-tuple arguments.</summary>
    public static Size2 ToSize2(this JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? (element[0].GetInt32(), element[1].GetInt32()) : element.GetInt32();
}
