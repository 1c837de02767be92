using ConvSharp.Autograd;
using ConvSharp.Compute;
using ConvSharp.Compute.Gemm;

namespace ConvSharp.Ops;

/// <summary>
/// Matrix products: <c>Mm</c> (2-D × 2-D) and <c>Bmm</c> (batched 3-D) are the primitives with
/// gradients; <see cref="MatMul"/> follows <c>torch.matmul</c>'s rules for 1-D operands and
/// broadcast batch dimensions by reshaping onto them.
/// </summary>
internal static class MatMulOps
{
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank == 0 || b.Rank == 0)
        {
            throw new ArgumentException(
                $"both arguments to matmul need to be at least 1D, but they are {a.Rank}D and {b.Rank}D (shapes {Shapes.Format(a.Dims)} and {Shapes.Format(b.Dims)})");
        }

        return (a.Rank, b.Rank) switch
        {
            (1, 1) => Mm(a.Unsqueeze(0), b.Unsqueeze(1)).Reshape(),
            (2, 1) => Mm(a, b.Unsqueeze(1)).Squeeze(1),
            (1, 2) => Mm(a.Unsqueeze(0), b).Squeeze(0),
            (2, 2) => Mm(a, b),
            _ => BatchedMatMul(a, b),
        };
    }

    public static Tensor Mm(Tensor a, Tensor b)
    {
        CheckInner(a, b, a.Rank == 2 && b.Rank == 2, "mm");
        var (m, k, n) = (a.Dims[0], a.Dims[1], b.Dims[1]);
        var result = Tensor.Uninitialized([m, n]); // checks m·n against the largest array before allocating
        Gemm(m, k, n, a, a.Offset, a.Strides[0], a.Strides[1], b, b.Offset, b.Strides[0], b.Strides[1], result.Storage.Data, 0, accumulate: false);
        return Tensor.Record(result, () => new MmBackward0(a, b), a, b);
    }

    public static Tensor Bmm(Tensor a, Tensor b)
    {
        CheckInner(a, b, a.Rank == 3 && b.Rank == 3 && a.Dims[0] == b.Dims[0], "bmm");
        var (batch, m, k, n) = (a.Dims[0], a.Dims[1], a.Dims[2], b.Dims[2]);
        var result = Tensor.Uninitialized([batch, m, n]);
        var product = result.Storage.Data;
        for (var i = 0; i < batch; i++)
        {
            // Each batch is read in place through its strides: transposed and broadcast (stride 0) batches are not copied.
            Gemm(
                m, k, n,
                a, a.Offset + (i * a.Strides[0]), a.Strides[1], a.Strides[2],
                b, b.Offset + (i * b.Strides[0]), b.Strides[1], b.Strides[2],
                product, i * m * n, accumulate: false);
        }

        return Tensor.Record(result, () => new BmmBackward0(a, b), a, b);
    }

    /// <summary>(…, m, k) × (…, k, n) with broadcast batch dimensions; 1-D operands are promoted and squeezed back.</summary>
    private static Tensor BatchedMatMul(Tensor a, Tensor b)
    {
        var x = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var y = b.Rank == 1 ? b.Unsqueeze(1) : b;
        if (x.Dims[^1] != y.Dims[^2])
        {
            throw new ArgumentException(
                $"Expected size for first two dimensions of batch2 tensor to be: [{x.Dims[^1]}] but got: [{y.Dims[^2]}] (matmul of shapes {Shapes.Format(a.Dims)} and {Shapes.Format(b.Dims)})");
        }

        var batchShape = Shapes.Broadcast(x.Dims[..^2], y.Dims[..^2]);
        var batch = Shapes.NumElements(batchShape);
        var (m, k, n) = (x.Dims[^2], x.Dims[^1], y.Dims[^1]);
        var x3 = x.Expand([.. batchShape, m, k]).Reshape(batch, m, k);
        var y3 = y.Expand([.. batchShape, k, n]).Reshape(batch, k, n);
        var product = Bmm(x3, y3).Reshape([.. batchShape, m, n]);
        if (a.Rank == 1)
        {
            product = product.Squeeze(-2);
        }

        return b.Rank == 1 ? product.Squeeze(-1) : product;
    }

    private static void CheckInner(Tensor a, Tensor b, bool ranksOk, string op)
    {
        if (!ranksOk || a.Dims[^1] != b.Dims[^2])
        {
            var describe = (Tensor t) => string.Join("x", t.Dims);
            throw new ArgumentException(
                $"{op}: mat1 and mat2 shapes cannot be multiplied ({describe(a)} and {describe(b)})");
        }
    }

    /// <summary>
    /// C (m×n, row-major from <paramref name="cOffset"/>) (=|+=) A (m×k) · B (k×n) on the blocked,
    /// threaded <see cref="Sgemm"/>, A(i, p) = a[aOffset + i·aRow + p·aColumn] and B likewise: a
    /// transposed or broadcast operand is read through its strides, never copied.
    /// </summary>
    internal static unsafe void Gemm(
        int m, int k, int n,
        Tensor a, int aOffset, int aRow, int aColumn,
        Tensor b, int bOffset, int bRow, int bColumn,
        float[] c, int cOffset, bool accumulate)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        var caps = CpuCaps.Current;
        fixed (float* pa = a.Storage.Data)
        fixed (float* pb = b.Storage.Data)
        fixed (float* pc = c)
        {
            // With k = 0 neither operand is read (an empty view's offset may lie past its storage).
            Sgemm.Multiply(
                caps.Kernel, m, n, k,
                pa + aOffset, aRow, aColumn,
                pb + bOffset, bRow, bColumn,
                pc + cOffset, n, accumulate, caps.Threads);
        }
    }
}

internal sealed class MmBackward0(Tensor a, Tensor b) : Node
{
    private readonly SavedTensor _a = new(a);
    private readonly SavedTensor _b = new(b);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) =>
    [
        NeedsInputGrad(0) ? MatMulOps.Mm(g, _b.Get(this).T) : null,
        NeedsInputGrad(1) ? MatMulOps.Mm(_a.Get(this).T, g) : null,
    ];
}

internal sealed class BmmBackward0(Tensor a, Tensor b) : Node
{
    private readonly SavedTensor _a = new(a);
    private readonly SavedTensor _b = new(b);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g) =>
    [
        NeedsInputGrad(0) ? MatMulOps.Bmm(g, _b.Get(this).Transpose(1, 2)) : null,
        NeedsInputGrad(1) ? MatMulOps.Bmm(_a.Get(this).Transpose(1, 2), g) : null,
    ];
}
