namespace ConvSharp.Data;

/// <summary>
/// Labelled examples of one shape, by index: what a <see cref="DataLoader"/> batches (PyTorch's
/// map-style <c>Dataset</c>). <see cref="CopyExample"/> is called from the loader's background
/// thread, so it must be safe to call while the caller computes on earlier batches.
/// </summary>
public interface IDataset
{
    /// <summary>The number of examples.</summary>
    int Count { get; }

    /// <summary>The shape of one example, e.g. (1, 28, 28): a batch of B is (B, …this).</summary>
    IReadOnlyList<int> ExampleShape { get; }

    /// <summary>Writes example <paramref name="index"/>'s values (row-major, <see cref="ExampleShape"/>) into <paramref name="destination"/>, which holds exactly that many, and returns its label.</summary>
    int CopyExample(int index, Span<float> destination);
}
