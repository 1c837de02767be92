using ConvSharp.Ops;

namespace ConvSharp;

/// <summary>Joining tensors (<c>torch.cat</c>, <c>torch.stack</c>) and <c>flatten</c>.</summary>
public partial class Tensor
{
    /// <summary>
    /// Joins tensors along an existing dimension: <c>torch.cat(tensors, dim)</c>. All must have the
    /// same shape except along <paramref name="dim"/>; 1-D empty tensors are skipped, as in PyTorch.
    /// </summary>
    /// <example><c>Tensor.Cat([a, b], dim: 1)</c></example>
    public static Tensor Cat(IEnumerable<Tensor> tensors, int dim = 0) => JoinOps.Cat(CheckList(tensors), dim);

    /// <summary>
    /// Joins tensors of one shape along a new dimension <paramref name="dim"/> (0 to rank):
    /// <c>torch.stack(tensors, dim)</c>.
    /// </summary>
    public static Tensor Stack(IEnumerable<Tensor> tensors, int dim = 0) => JoinOps.Stack(CheckList(tensors), dim);

    /// <summary>
    /// Merges dimensions <paramref name="startDim"/> to <paramref name="endDim"/> into one:
    /// <c>tensor.flatten(start_dim, end_dim)</c>. A view when the tensor is contiguous; a scalar becomes 1-D.
    /// </summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        var s = Shapes.WrapDim(startDim, Rank, "flatten");
        var e = Shapes.WrapDim(endDim, Rank, "flatten");
        if (Rank == 0)
        {
            return Reshape(1);
        }

        if (s > e)
        {
            throw new ArgumentException(
                $"flatten() has invalid args: start_dim ({startDim}) cannot come after end_dim ({endDim}) for a tensor of shape {Shapes.Format(Dims)}",
                nameof(startDim));
        }

        if (s == e)
        {
            return this;
        }

        long merged = 1;
        for (var d = s; d <= e; d++)
        {
            merged *= Dims[d];
        }

        return Reshape([.. Dims[..s], (int)merged, .. Dims[(e + 1)..]]);
    }

    private static Tensor[] CheckList(IEnumerable<Tensor> tensors, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(tensors))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tensors, name);
        var list = tensors.ToArray();
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentNullException(name, $"tensor number {i} in the list is null");
            }
        }

        return list;
    }
}
