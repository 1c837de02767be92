namespace ConvSharp;

/// <summary>
/// The flat float32 buffer behind one or more tensors. Views share a storage; the version
/// counter goes up on every in-place write, so autograd can tell when a tensor it saved for
/// backward was changed afterwards (PyTorch's <c>_version</c>).
/// </summary>
internal sealed class TensorStorage(float[] data)
{
    public float[] Data { get; } = data;

    public int Version { get; private set; }

    /// <summary>A storage of <paramref name="length"/> floats whose contents are undefined: the caller writes every element (no zeroing pass).</summary>
    public static TensorStorage Rent(int length) => new(GC.AllocateUninitializedArray<float>(length));

    public void BumpVersion() => Version++;
}
