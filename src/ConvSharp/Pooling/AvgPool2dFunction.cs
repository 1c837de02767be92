using ConvSharp.Autograd;

namespace ConvSharp.Pooling;

/// <summary>
/// avg_pool2d on (N, C, H, W) or (C, H, W) and its autograd node; tiled geometries (2×2/2 and
/// the like) take the fast kernels, the rest the reference loops. Planes run in parallel when
/// the call is large.
/// </summary>
internal static class AvgPool2dFunction
{
    public static Tensor Forward(Tensor input, PoolGeometry g, AvgPoolOptions options)
    {
        var (source, offset) = PlaneParallel.Contiguous(input);
        var result = Tensor.Uninitialized(g.OutputShape);
        var output = result.Storage.Data;
        PlaneParallel.For(g.Planes, g.Work, (p0, p1) =>
        {
            var planes = p1 - p0;
            var from = source.AsSpan(offset + (p0 * g.PlaneSize), planes * g.PlaneSize);
            var to = output.AsSpan(p0 * g.OutputPlaneSize, planes * g.OutputPlaneSize);
            if (g.IsTiled)
            {
                AvgPoolTiled.Forward(g, from, to, options, planes);
            }
            else
            {
                AvgPoolReference.Forward(g, from, to, options, planes);
            }
        });

        return Tensor.Record(result, () => new AvgPool2DBackward0(input, g, options), input);
    }

    public static Tensor Backward(PoolGeometry g, Tensor gradOutput, AvgPoolOptions options)
    {
        var (source, offset) = PlaneParallel.Contiguous(gradOutput);
        var gradInput = Tensor.Uninitialized(g.InputShape);
        var target = gradInput.Storage.Data;
        PlaneParallel.For(g.Planes, g.Work + ((long)g.Planes * g.PlaneSize), (p0, p1) =>
        {
            var planes = p1 - p0;
            var from = source.AsSpan(offset + (p0 * g.OutputPlaneSize), planes * g.OutputPlaneSize);
            var to = target.AsSpan(p0 * g.PlaneSize, planes * g.PlaneSize);
            if (g.IsTiled)
            {
                AvgPoolTiled.Backward(g, from, to, options, planes);
            }
            else
            {
                AvgPoolReference.Backward(g, from, to, options, planes);
            }
        });

        return gradInput;
    }
}

/// <summary>Gradient of avg_pool2d: each output gradient ÷ its divisor, spread over its window.</summary>
internal sealed class AvgPool2DBackward0(Tensor input, PoolGeometry geometry, AvgPoolOptions options) : Node
{
    private readonly SavedTensor _input = new(input);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        // PyTorch saves the input too: an in-place change to it after the forward pass is an error here as there.
        _input.Get(this);
        return [AvgPool2dFunction.Backward(geometry, gradOutput, options)];
    }
}
