namespace ConvSharp.Onnx;

/// <summary>Names that an exported ONNX model carries; the defaults suit most uses.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The graph input's name, what a runtime feeds: "input" by default.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name, what a runtime fetches: "output" by default.</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>The graph's name: "convsharp" by default.</summary>
    public string GraphName { get; init; } = "convsharp";

    /// <summary>Free text stored as the model's doc_string; none by default.</summary>
    public string? Description { get; init; }
}
