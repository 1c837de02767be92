using ConvSharp.Nn;
using static ConvSharp.Onnx.GraphBuilder;

namespace ConvSharp.Onnx;

/// <summary>Flatten, Linear, BatchNorm2d and Softmax: the layers that reshape, mix or normalise features.</summary>
internal static class DenseExport
{
    public static string Flatten(GraphBuilder g, Flatten flatten, string path, Activation x, int[] outDims)
    {
        var rank = x.Dims.Length + 1;
        var start = flatten.StartDim < 0 ? flatten.StartDim + rank : flatten.StartDim;
        var end = flatten.EndDim < 0 ? flatten.EndDim + rank : flatten.EndDim;
        if (start == 0 && end > 0)
        {
            throw new NotSupportedException(
                $"{LayerPath.Describe(flatten, path)} flattens from dimension 0, merging the batch dimension, which the export keeps dynamic");
        }

        if (start == 1 && end == rank - 1)
        {
            return g.Node("Flatten", path, [x.Name], Int("axis", 1));
        }

        // Reshape's 0 copies the input's size there: the dynamic batch.
        var shape = g.Int64s(LayerPath.Child(path, "shape"), [0, .. outDims.Select(d => (long)d)]);
        return g.Node("Reshape", path, [x.Name, shape]);
    }

    public static string Linear(GraphBuilder g, Linear linear, string path, Activation x)
    {
        var weight = g.Weight(linear.Weight, LayerPath.Child(path, "weight"));
        var bias = linear.Bias is { } b ? g.Weight(b, LayerPath.Child(path, "bias")) : null;
        if (x.Dims.Length == 1)
        {
            // y = x·Wᵀ + b, ONNX's Gemm with B transposed: the weight keeps PyTorch's (out, in) layout.
            return g.Node("Gemm", path, bias is null ? [x.Name, weight] : [x.Name, weight, bias], Int("transB", 1));
        }

        // Gemm takes matrices only; on more dimensions Linear acts on the last one, as MatMul does.
        var transposed = g.Node("Transpose", path, [weight], Ints("perm", 1, 0));
        var product = g.Node("MatMul", path, [x.Name, transposed]);
        return bias is null ? product : g.Node("Add", path, [product, bias]);
    }

    /// <summary>BatchNorm2d as it computes in evaluation mode: with its running mean and variance, whatever its <see cref="Module.Training"/> flag.</summary>
    public static string BatchNorm2d(GraphBuilder g, BatchNorm2d norm, string path, Activation x)
    {
        if (x.Dims.Length != 3 || x.Dims[0] != norm.NumFeatures)
        {
            throw new ArgumentException($"{LayerPath.Describe(norm, path)} expects (N, {norm.NumFeatures}, H, W), but its input is {x.Describe()}");
        }

        if (norm.RunningMean is null || norm.RunningVar is null)
        {
            throw new NotSupportedException(
                $"{LayerPath.Describe(norm, path)} has track_running_stats=False: it normalises by each batch's own statistics even in evaluation, which the export does not express");
        }

        var c = norm.NumFeatures;
        var scale = norm.Weight is { } w ? g.Weight(w, LayerPath.Child(path, "weight")) : g.Constant(LayerPath.Child(path, "ones"), [c], Enumerable.Repeat(1f, c).ToArray());
        var shift = norm.Bias is { } b ? g.Weight(b, LayerPath.Child(path, "bias")) : g.Constant(LayerPath.Child(path, "zeros"), [c], new float[c]);
        var mean = g.Weight(norm.RunningMean, LayerPath.Child(path, "running_mean"));
        var variance = g.Weight(norm.RunningVar, LayerPath.Child(path, "running_var"));
        return g.Node("BatchNormalization", path, [x.Name, scale, shift, mean, variance], Float("epsilon", (float)norm.Eps));
    }

    public static string Softmax(GraphBuilder g, Softmax softmax, string path, Activation x)
    {
        var rank = x.Dims.Length + 1;
        return g.Node("Softmax", path, [x.Name], Int("axis", softmax.Dim < 0 ? softmax.Dim + rank : softmax.Dim));
    }
}
