namespace ConvSharp.Data;

/// <summary>One batch from a <see cref="DataLoader"/>: examples stacked along a new first dimension, and their labels.</summary>
/// <param name="Images">(B, …the example shape), e.g. (B, 1, 28, 28); a tensor of its own, free to keep</param>
/// <param name="Labels">the B labels, in the order of <paramref name="Images"/></param>
public sealed record Batch(Tensor Images, int[] Labels)
{
    /// <summary>The number of examples, B.</summary>
    public int Count => Labels.Length;
}
