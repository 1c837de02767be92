using ConvSharp.Autograd;

namespace ConvSharp.Pooling;

/// <summary>adaptive_avg_pool2d on (N, C, H, W) or (C, H, W) and its autograd node; planes run in parallel when the call is large.</summary>
internal static class AdaptiveAvgPool2dFunction
{
    public static Tensor Forward(Tensor input, PoolGeometry g)
    {
        var (source, offset) = PlaneParallel.Contiguous(input);
        var result = Tensor.Uninitialized(g.OutputShape);
        var output = result.Storage.Data;
        PlaneParallel.For(g.Planes, Work(g), (p0, p1) =>
        {
            var planes = p1 - p0;
            AdaptiveAvgPool.Forward(
                g,
                source.AsSpan(offset + (p0 * g.PlaneSize), planes * g.PlaneSize),
                output.AsSpan(p0 * g.OutputPlaneSize, planes * g.OutputPlaneSize),
                planes);
        });

        return Tensor.Record(result, () => new AdaptiveAvgPool2DBackward0(input, g), input);
    }

    public static Tensor Backward(PoolGeometry g, Tensor gradOutput)
    {
        var (source, offset) = PlaneParallel.Contiguous(gradOutput);
        var gradInput = Tensor.Uninitialized(g.InputShape);
        var target = gradInput.Storage.Data;
        PlaneParallel.For(g.Planes, Work(g), (p0, p1) =>
        {
            var planes = p1 - p0;
            AdaptiveAvgPool.Backward(
                g,
                source.AsSpan(offset + (p0 * g.OutputPlaneSize), planes * g.OutputPlaneSize),
                target.AsSpan(p0 * g.PlaneSize, planes * g.PlaneSize),
                planes);
        });

        return gradInput;
    }

    /// <summary>Elements read: the windows cover each plane about once, more when the output is larger than the input.</summary>
    private static long Work(PoolGeometry g) => (long)g.Planes * (Math.Max(g.H, g.OH) * (long)Math.Max(g.W, g.OW));
}

/// <summary>
/// Gradient of adaptive_avg_pool2d. PyTorch computes a (1, 1) output as a mean over the plane
/// and names its node <c>MeanBackward1</c> then; this node takes that name in that case too.
/// </summary>
internal sealed class AdaptiveAvgPool2DBackward0(Tensor input, PoolGeometry geometry) : Node
{
    private readonly SavedTensor _input = new(input);

    public override string Name => geometry.OH == 1 && geometry.OW == 1 ? "MeanBackward1" : nameof(AdaptiveAvgPool2DBackward0);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        // PyTorch saves the input too: an in-place change to it after the forward pass is an error here as there.
        _input.Get(this);
        return [AdaptiveAvgPool2dFunction.Backward(geometry, gradOutput)];
    }
}
