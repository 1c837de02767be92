using static ConvSharp.Onnx.GraphBuilder;

namespace ConvSharp.Onnx;

/// <summary>
/// The border of a convolution whose padding mode is not zeros, added before a Conv with zero
/// pads: ONNX Pad for reflect, replicate and circular (its reflect, edge and wrap), and a
/// Gather per axis for symmetric, which Pad lacks; the Gather reads exactly the rows and
/// columns <see cref="Borders.SourceIndex"/> says ConvSharp reads.
/// </summary>
internal static class BorderExport
{
    public static string Pad(GraphBuilder g, string path, Activation x, PaddingMode mode, int top, int bottom, int left, int right)
    {
        var onnxMode = mode switch
        {
            PaddingMode.Reflect => "reflect",
            PaddingMode.Replicate => "edge",
            PaddingMode.Circular => "wrap",
            PaddingMode.Symmetric => null,
            _ => throw new NotSupportedException($"padding mode {mode} has no ONNX border"),
        };
        if (onnxMode is null)
        {
            var rows = Gather(g, path, x.Name, axis: 2, x.Dims[1], top, bottom);
            return Gather(g, path, rows, axis: 3, x.Dims[2], left, right);
        }

        // Pads as ONNX orders them: every axis's start, then every axis's end (N, C, H, W).
        var pads = g.Int64s(LayerPath.Child(path, "pads"), 0, 0, top, left, 0, 0, bottom, right);
        return g.Node("Pad", path, [x.Name, pads], Text("mode", onnxMode));
    }

    private static string Gather(GraphBuilder g, string path, string input, int axis, int size, int before, int after)
    {
        if (before == 0 && after == 0)
        {
            return input;
        }

        var indices = new long[before + size + after];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = Borders.SourceIndex(PaddingMode.Symmetric, i - before, size);
        }

        var name = g.Int64s(LayerPath.Child(path, axis == 2 ? "border_rows" : "border_columns"), indices);
        return g.Node("Gather", path, [input, name], Int("axis", axis));
    }
}
