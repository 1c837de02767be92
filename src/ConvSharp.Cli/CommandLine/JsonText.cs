using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// JSON written with <see cref="Utf8JsonWriter"/>: no reflection, so it survives NativeAOT
/// trimming, and the property order is the order written. Floats are written shortest-exact
/// (<c>0.1</c>, not <c>0.100000001</c>), so they read back to the same float32.
/// </summary>
internal static class JsonText
{
    // Kernel names and file paths print as typed: "×" and "⋆" stay themselves, not \u escapes.
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON document, indented, with a final newline.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            body(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    /// <summary>A tensor as nested arrays, one level per dimension (a scalar as a number).</summary>
    public static void Tensor(Utf8JsonWriter writer, Tensor tensor)
    {
        if (tensor.Rank == 0)
        {
            writer.WriteNumberValue(tensor.Item());
            return;
        }

        writer.WriteStartArray();
        if (tensor.Rank == 1)
        {
            foreach (var value in tensor.ToArray())
            {
                writer.WriteNumberValue(value);
            }
        }
        else
        {
            for (var i = 0; i < tensor.Shape[0]; i++)
            {
                Tensor(writer, tensor[i]);
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>Integers as one array, e.g. a shape.</summary>
    public static void Numbers(Utf8JsonWriter writer, string name, IEnumerable<int> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }
}
