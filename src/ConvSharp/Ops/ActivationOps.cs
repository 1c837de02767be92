using ConvSharp.Autograd;
using ConvSharp.Compute;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Ops;

/// <summary>ReLU, sigmoid, tanh and dropout on the vectorised kernels, with their gradients.</summary>
internal static class ActivationOps
{
    public delegate void UnaryKernel(ReadOnlySpan<float> x, Span<float> y);

    public delegate void BinaryKernel(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result);

    /// <summary>Elements per work item when a large tensor is split over threads: whole cache lines, and enough work to pay for a hand-off.</summary>
    private const int ChunkElements = 1 << 15;

    /// <summary>A new contiguous tensor of x's shape, kernel(x); large tensors in chunks over the threads.</summary>
    public static unsafe Tensor Map(Tensor x, UnaryKernel kernel)
    {
        var result = Tensor.Uninitialized((int[])x.Dims.Clone());
        var source = x.ContiguousSpan();
        var destination = result.Storage.Data.AsSpan(0, result.NumElements);
        var chunks = Chunks(source.Length);
        if (chunks == 1)
        {
            kernel(source, destination);
            return result;
        }

        fixed (float* xs = source, ys = destination)
        {
            var (xp, yp, length) = ((nint)xs, (nint)ys, source.Length);
            ParallelRunner.For(chunks, ConvPlanOptions.Current.Threads, chunk =>
            {
                // In bounds: chunk's elements [start, end) of both spans, each source.Length long.
                var (start, end) = Range(chunk, length);
                kernel(new ReadOnlySpan<float>((float*)xp + start, end - start), new Span<float>((float*)yp + start, end - start));
            });
        }

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
        var first = a.ContiguousSpan();
        var second = b.ContiguousSpan();
        var destination = result.Storage.Data.AsSpan(0, result.NumElements);
        var chunks = Chunks(first.Length);
        if (chunks == 1)
        {
            kernel(first, second, destination);
            return result;
        }

        unsafe
        {
            fixed (float* ap = first, bp = second, rp = destination)
            {
                var (aa, bb, rr, length) = ((nint)ap, (nint)bp, (nint)rp, first.Length);
                ParallelRunner.For(chunks, ConvPlanOptions.Current.Threads, chunk =>
                {
                    // In bounds: chunk's elements [start, end) of the three spans, each first.Length long.
                    var (start, end) = Range(chunk, length);
                    kernel(
                        new ReadOnlySpan<float>((float*)aa + start, end - start),
                        new ReadOnlySpan<float>((float*)bb + start, end - start),
                        new Span<float>((float*)rr + start, end - start));
                });
            }
        }

        return result;
    }

    /// <summary>Work items for <paramref name="length"/> elements: one below two chunks' worth (or on one thread).</summary>
    private static int Chunks(int length) =>
        ConvPlanOptions.Current.Threads == 1 || length < 2 * ChunkElements ? 1 : (int)(((long)length + ChunkElements - 1) / ChunkElements);

    /// <summary>Elements [start, end) of work item <paramref name="chunk"/>.</summary>
    private static (int Start, int End) Range(int chunk, int length) =>
        (chunk * ChunkElements, (int)Math.Min((chunk + 1L) * ChunkElements, length));

    public static Tensor Dropout(Tensor x, float p)
    {
        var mask = Tensor.Uninitialized((int[])x.Dims.Clone());
        var m = mask.Storage.Data.AsSpan(0, mask.NumElements);
        Random.Default.FillUniform(m, 0f, 1f);
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
