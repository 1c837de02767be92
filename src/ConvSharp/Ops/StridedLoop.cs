namespace ConvSharp.Ops;

/// <summary>Work done on one run along the last axis, for up to three operands.</summary>
internal interface IRowKernel
{
    /// <param name="length">elements in the run</param>
    /// <param name="o0">offset of operand 0's first element</param>
    /// <param name="s0">operand 0's stride along the run</param>
    /// <param name="o1">offset of operand 1's first element</param>
    /// <param name="s1">operand 1's stride along the run</param>
    /// <param name="o2">offset of operand 2's first element</param>
    /// <param name="s2">operand 2's stride along the run</param>
    void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2);
}

/// <summary>
/// Walks a shape in row-major order over up to three strided operands (an output and its
/// inputs), handing each innermost run to a struct kernel so the JIT specialises the loop.
/// Broadcasting is a stride of 0; an unused operand passes an empty stride span.
/// </summary>
internal static class StridedLoop
{
    public static void Run<TKernel>(
        ReadOnlySpan<int> shape,
        ReadOnlySpan<int> strides0, int offset0,
        ReadOnlySpan<int> strides1, int offset1,
        ReadOnlySpan<int> strides2, int offset2,
        ref TKernel kernel)
        where TKernel : struct, IRowKernel, allows ref struct
    {
        var rank = shape.Length;
        var count = Shapes.NumElements(shape);
        if (count == 0)
        {
            return;
        }

        if (rank == 0)
        {
            kernel.Row(1, offset0, 0, offset1, 0, offset2, 0);
            return;
        }

        var inner = shape[rank - 1];
        var last = rank - 1;
        // The rank is the user's: up to 16 dimensions count on a fixed 64 bytes of stack, more on the heap.
        Span<int> index = rank <= 16 ? stackalloc int[16] : new int[rank];
        index.Clear();
        var (o0, o1, o2) = (offset0, offset1, offset2);
        var rows = count / inner;
        for (var r = 0; r < rows; r++)
        {
            kernel.Row(inner, o0, Stride(strides0, last), o1, Stride(strides1, last), o2, Stride(strides2, last));
            for (var d = last - 1; d >= 0; d--)
            {
                index[d]++;
                o0 += Stride(strides0, d);
                o1 += Stride(strides1, d);
                o2 += Stride(strides2, d);
                if (index[d] < shape[d])
                {
                    break;
                }

                o0 -= Stride(strides0, d) * shape[d];
                o1 -= Stride(strides1, d) * shape[d];
                o2 -= Stride(strides2, d) * shape[d];
                index[d] = 0;
            }
        }
    }

    private static int Stride(ReadOnlySpan<int> strides, int d) => strides.IsEmpty ? 0 : strides[d];
}

/// <summary>Copies operand 1 into operand 0 (strided destination, strided or broadcast source).</summary>
internal readonly struct CopyRowKernel(float[] destination, float[] source) : IRowKernel
{
    public void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2)
    {
        if (s0 == 1 && s1 == 1)
        {
            source.AsSpan(o1, length).CopyTo(destination.AsSpan(o0, length));
            return;
        }

        for (var j = 0; j < length; j++)
        {
            destination[o0 + (j * s0)] = source[o1 + (j * s1)];
        }
    }
}

/// <summary>Gathers operand 1 (strided) into a span in row-major order; operand 0's offsets index the span.</summary>
internal readonly ref struct SpanCopyRowKernel(Span<float> destination, float[] source) : IRowKernel
{
    private readonly Span<float> _destination = destination;

    public void Row(int length, int o0, int s0, int o1, int s1, int o2, int s2)
    {
        var target = _destination.Slice(o0, length);
        if (s1 == 1)
        {
            source.AsSpan(o1, length).CopyTo(target);
            return;
        }

        for (var j = 0; j < length; j++)
        {
            target[j] = source[o1 + (j * s1)];
        }
    }
}
