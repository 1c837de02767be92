using ConvSharp.Nn;
using static ConvSharp.Onnx.GraphBuilder;

namespace ConvSharp.Onnx;

/// <summary>MaxPool2d, AvgPool2d and AdaptiveAvgPool2d as ONNX MaxPool, AveragePool and GlobalAveragePool.</summary>
internal static class PoolExport
{
    public static string MaxPool2d(GraphBuilder g, MaxPool2d pool, string path, Activation x) => g.Node(
        "MaxPool", path, [x.Name],
        Ints("kernel_shape", pool.KernelSize.H, pool.KernelSize.W),
        Ints("strides", pool.Stride.H, pool.Stride.W),
        Ints("pads", pool.Padding.H, pool.Padding.W, pool.Padding.H, pool.Padding.W),
        Ints("dilations", pool.Dilation.H, pool.Dilation.W),
        Int("ceil_mode", pool.CeilMode ? 1 : 0));

    public static string AvgPool2d(GraphBuilder g, AvgPool2d pool, string path, Activation x)
    {
        if (pool.DivisorOverride is { } divisor)
        {
            throw new NotSupportedException(
                $"{LayerPath.Describe(pool, path)} has divisor_override={divisor}, which ONNX's AveragePool cannot express (it divides by the window size)");
        }

        return g.Node(
            "AveragePool", path, [x.Name],
            Ints("kernel_shape", pool.KernelSize.H, pool.KernelSize.W),
            Ints("strides", pool.Stride.H, pool.Stride.W),
            Ints("pads", pool.Padding.H, pool.Padding.W, pool.Padding.H, pool.Padding.W),
            Int("ceil_mode", pool.CeilMode ? 1 : 0),
            Int("count_include_pad", pool.CountIncludePad ? 1 : 0));
    }

    /// <summary>
    /// ONNX has no adaptive pooling. A 1×1 output is GlobalAveragePool; an output that divides the
    /// input evenly has equal, non-overlapping windows, an AveragePool with kernel = stride =
    /// input / output. Anything else has windows of varying size, and is refused.
    /// </summary>
    public static string AdaptiveAvgPool2d(GraphBuilder g, AdaptiveAvgPool2d pool, string path, Activation x)
    {
        var (h, w) = (x.Dims[1], x.Dims[2]);
        var (oh, ow) = (pool.OutputSize.H, pool.OutputSize.W);
        if (oh == 1 && ow == 1)
        {
            return g.Node("GlobalAveragePool", path, [x.Name]);
        }

        if (h % oh != 0 || w % ow != 0)
        {
            throw new NotSupportedException(
                $"{LayerPath.Describe(pool, path)} pools a {h}×{w} input to {oh}×{ow}: ONNX has no adaptive pooling, and only an output of 1×1 or one that divides the input evenly becomes a plain average pool; export with an input size that is a multiple of {oh}×{ow}");
        }

        return g.Node(
            "AveragePool", path, [x.Name],
            Ints("kernel_shape", h / oh, w / ow),
            Ints("strides", h / oh, w / ow));
    }
}
