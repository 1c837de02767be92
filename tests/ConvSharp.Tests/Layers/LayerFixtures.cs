using System.Text.Json;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Layers;

/// <summary>PyTorch's values for the LeNet layers (tools/fixtures/make_layer_fixtures.py), loaded once.</summary>
internal static class LayerFixtures
{
    private static readonly Lazy<JsonElement> Root = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "layers.json");
        using var stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    });

    public static JsonElement Get(string section) => Root.Value.GetProperty(section);

    public static JsonElement[] Cases(string section) => [.. Get(section).EnumerateArray()];

    public static TheoryData<int> Indices(string section)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Cases(section).Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    /// <summary>A fixture tensor as a fresh leaf that requires grad.</summary>
    public static Tensor Leaf(this JsonElement element)
    {
        var tensor = element.ToTensor();
        tensor.RequiresGrad = true;
        return tensor;
    }
}
