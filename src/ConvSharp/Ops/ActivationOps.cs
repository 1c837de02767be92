using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>ReLU, sigmoid, tanh and dropout on the vectorised kernels, with their gradients.</summary>
internal static class ActivationOps
{
    public delegate void UnaryKernel(ReadOnlySpan<float> x, Span<float> y);

    public delegate void BinaryKernel(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result);

    /// <summary>A new contiguous tensor of x's shape, kernel(x); large tensors in chunks over the threads.</summary>
    public static Tensor Map(Tensor x, UnaryKernel kernel)
    {
        var result = Tensor.Uninitialized((int[])x.Dims.Clone());
        ElementChunks.Map(x.ContiguousSpan(), result.Storage.Data, kernel);
        return result;
    }

    /// <summary>A new contiguous tensor of a's shape, kernel(a, b); b has a's shape.</summary>
    public static Tensor Zip(Tensor a, Tensor b, BinaryKernel kernel)
    {
        if (!Shapes.Equal(a.Dims, b.Dims))
        {
            b = b.Expand(a.Dims); // a broadcast gradient
        }

        var result = Tensor.Uninitialized((int[])a.Dims.Clone());
        ElementChunks.Zip(a.ContiguousSpan(), b.ContiguousSpan(), result.Storage.Data, kernel);
        return result;
    }

    public static Tensor Dropout(Tensor x, float p)
    {
        var mask = Tensor.Uninitialized((int[])x.Dims.Clone());
        var m = mask.Storage.Data.AsSpan(0, mask.NumElements);
        Rng.Default.FillUniform(m, 0f, 1f);
        var keep = 1f - p;
        var scale = keep > 0f ? 1f / keep : 0f;
        for (var i = 0; i < m.Length; i++)
        {
            m[i] = m[i] < keep ? scale : 0f;
        }

        var result = Zip(x, mask, ActivationKernels.Multiply);
        return Tensor.Record(result, () => new NativeDropoutBackward0(mask), x);
    }
}

internal sealed class NativeDropoutBackward0(Tensor mask) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [ActivationOps.Zip(mask, g, ActivationKernels.Multiply)];
}
