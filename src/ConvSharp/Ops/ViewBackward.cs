using ConvSharp.Autograd;

namespace ConvSharp.Ops;

// Gradients of the shape operations in Tensor.Views.cs: each undoes its view on the gradient.

internal sealed class ViewBackward0(int[] inputShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.Reshape(inputShape)];
}

internal sealed class TBackward0 : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.T];
}

internal sealed class TransposeBackward0(int dim0, int dim1) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.Transpose(dim0, dim1)];
}

internal sealed class PermuteBackward0(int[] order) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        var inverse = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            inverse[order[i]] = i;
        }

        return [g.Permute(inverse)];
    }
}

internal sealed class SqueezeBackward0(int[] inputShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.Reshape(inputShape)];
}

internal sealed class SqueezeBackward1(int[] inputShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.Reshape(inputShape)];
}

internal sealed class UnsqueezeBackward0(int dim) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.Squeeze(dim)];
}

internal sealed class ExpandBackward0(int[] inputShape) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.SumTo(inputShape)];
}

internal sealed class FlipBackward0(int[] dims) : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g.Flip(dims)];
}

internal sealed class CloneBackward0 : Node
{
    internal override Tensor?[] Apply(Tensor g) => [g];
}

/// <summary>Places the gradient of a slice into zeros of the input's shape.</summary>
internal sealed class SliceBackward0(int[] inputShape, int dim, int start, int length) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        var result = Tensor.Zeros(inputShape);
        result.NarrowView(dim, start, length).CopyFromUnchecked(g);
        return [result];
    }
}

/// <summary>Places the gradient of a selected slice into zeros of the input's shape.</summary>
internal sealed class SelectBackward0(int[] inputShape, int dim, int index) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        var result = Tensor.Zeros(inputShape);
        result.SelectView(dim, index).CopyFromUnchecked(g);
        return [result];
    }
}
