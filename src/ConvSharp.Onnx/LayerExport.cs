using ConvSharp.Nn;

namespace ConvSharp.Onnx;

/// <summary>Walks the model in forward order and turns each layer into ONNX nodes; refuses, by type and path, what it cannot express.</summary>
internal static class LayerExport
{
    private const string Supported =
        "Sequential, Conv2d, ConvTranspose2d, ReLU, Sigmoid, Tanh, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Linear, BatchNorm2d, Softmax and Dropout";

    public static Activation Export(GraphBuilder g, Module module, string path, Activation x)
    {
        if (module is Sequential sequential)
        {
            foreach (var (name, child) in sequential.NamedChildren())
            {
                x = Export(g, child, LayerPath.Child(path, name), x);
            }

            return x;
        }

        if (module is not (Conv2d or ConvTranspose2d or ReLU or Sigmoid or Tanh or MaxPool2d or AvgPool2d or AdaptiveAvgPool2d
            or Flatten or Linear or BatchNorm2d or Softmax or Dropout))
        {
            throw new NotSupportedException($"ONNX export does not support {LayerPath.Describe(module, path)}; it exports {Supported}");
        }

        // ConvSharp's 2-D layers also take an unbatched (C, H, W) input, so a 3-D activation, (N, C, L),
        // would pass OutputDims as one unbatched image; their ONNX nodes need (N, C, H, W).
        if (module is Conv2d or ConvTranspose2d or MaxPool2d or AvgPool2d or AdaptiveAvgPool2d && x.Dims.Length != 3)
        {
            throw new ArgumentException($"{LayerPath.Describe(module, path)} takes (N, C, H, W), but its input would be {x.Describe()}");
        }

        var outDims = OutputDims(module, path, x);
        var output = module switch
        {
            Conv2d conv => ConvExport.Conv2d(g, conv, path, x),
            ConvTranspose2d conv => ConvExport.ConvTranspose2d(g, conv, path, x),
            ReLU => g.Node("Relu", path, [x.Name]),
            Sigmoid => g.Node("Sigmoid", path, [x.Name]),
            Tanh => g.Node("Tanh", path, [x.Name]),
            MaxPool2d pool => PoolExport.MaxPool2d(g, pool, path, x),
            AvgPool2d pool => PoolExport.AvgPool2d(g, pool, path, x),
            AdaptiveAvgPool2d pool => PoolExport.AdaptiveAvgPool2d(g, pool, path, x),
            Flatten flatten => DenseExport.Flatten(g, flatten, path, x, outDims),
            Linear linear => DenseExport.Linear(g, linear, path, x),
            BatchNorm2d norm => DenseExport.BatchNorm2d(g, norm, path, x),
            Softmax softmax => DenseExport.Softmax(g, softmax, path, x),
            Dropout => x.Name, // identity in evaluation, which is what an exported model runs
            _ => throw new InvalidOperationException($"unreachable: {module.GetType().Name} passed the check above"),
        };
        return new Activation(output, outDims);
    }

    /// <summary>
    /// The layer's output shape, from running the layer itself on one zero image: the same
    /// arithmetic as ConvSharp's forward, and its own error when the input does not fit
    /// (a kernel larger than the padded image, a Linear of the wrong width). BatchNorm2d and
    /// Dropout keep the shape and are not run: in training mode they would change their state.
    /// </summary>
    private static int[] OutputDims(Module module, string path, Activation x)
    {
        if (module is BatchNorm2d or Dropout)
        {
            return x.Dims;
        }

        try
        {
            using var noGrad = Tensor.NoGrad();
            return module.Forward(Tensor.Zeros([1, .. x.Dims])).Shape[1..];
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{LayerPath.Describe(module, path)} cannot take its input {x.Describe()}: {e.Message}", e);
        }
    }
}
