namespace ConvSharp.Onnx;

/// <summary>
/// The value flowing from one layer to the next: its name in the graph and its shape without
/// the batch dimension, which stays dynamic ("N") while every other dimension is known.
/// </summary>
internal readonly record struct Activation(string Name, int[] Dims)
{
    /// <summary>The shape as PyTorch prints it, the batch as N: (N, 6, 28, 28).</summary>
    public string Describe() => $"(N, {string.Join(", ", Dims)})";
}
