using ConvSharp.Autograd;

namespace ConvSharp.Pooling;

/// <summary>
/// max_pool2d on (N, C, H, W) or (C, H, W) and its autograd node: the forward pass keeps the
/// index of each window's maximum, as PyTorch's <c>max_pool2d_with_indices</c>, and backward
/// sends each output gradient to that element. Planes run in parallel when the call is large.
/// </summary>
internal static class MaxPool2dFunction
{
    public static Tensor Forward(Tensor input, PoolGeometry g)
    {
        var (source, offset) = PlaneParallel.Contiguous(input);
        var result = Tensor.Uninitialized(g.OutputShape);
        var output = result.Storage.Data;
        var indices = new int[output.Length];
        PlaneParallel.For(g.Planes, g.Work, (p0, p1) =>
        {
            var planes = p1 - p0;
            var from = source.AsSpan(offset + (p0 * g.PlaneSize), planes * g.PlaneSize);
            var to = output.AsSpan(p0 * g.OutputPlaneSize, planes * g.OutputPlaneSize);
            var at = indices.AsSpan(p0 * g.OutputPlaneSize, planes * g.OutputPlaneSize);
            if (g.IsTiled)
            {
                MaxPoolTiled.Forward(g, from, to, at, planes);
            }
            else
            {
                MaxPoolReference.Forward(g, from, to, at, planes);
            }
        });

        return Tensor.Record(result, () => new MaxPool2DWithIndicesBackward0(input, indices, g), input);
    }

    public static Tensor Backward(PoolGeometry g, Tensor gradOutput, int[] indices)
    {
        var (source, offset) = PlaneParallel.Contiguous(gradOutput);
        var gradInput = Tensor.Uninitialized(g.InputShape);
        var target = gradInput.Storage.Data;
        PlaneParallel.For(g.Planes, (long)g.Planes * (g.PlaneSize + g.OutputPlaneSize), (p0, p1) =>
        {
            var planes = p1 - p0;
            MaxPoolReference.Backward(
                g,
                source.AsSpan(offset + (p0 * g.OutputPlaneSize), planes * g.OutputPlaneSize),
                indices.AsSpan(p0 * g.OutputPlaneSize, planes * g.OutputPlaneSize),
                target.AsSpan(p0 * g.PlaneSize, planes * g.PlaneSize),
                planes);
        });

        return gradInput;
    }
}

/// <summary>Gradient of max_pool2d: each output gradient goes to its window's (first) maximum.</summary>
internal sealed class MaxPool2DWithIndicesBackward0(Tensor input, int[] indices, PoolGeometry geometry) : Node
{
    private readonly SavedTensor _input = new(input);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        // PyTorch saves the input too: an in-place change to it after the forward pass is an error here as there.
        _input.Get(this);
        return [MaxPool2dFunction.Backward(geometry, gradOutput, indices)];
    }
}
