using ConvSharp.Nn;
using static ConvSharp.Onnx.GraphBuilder;

namespace ConvSharp.Onnx;

/// <summary>Conv2d and ConvTranspose2d as ONNX Conv and ConvTranspose (weights share ONNX's layouts).</summary>
internal static class ConvExport
{
    public static string Conv2d(GraphBuilder g, Conv2d conv, string path, Activation x)
    {
        // The pads ConvSharp itself works out for this input ('same' with any stride, asymmetric
        // or not), written as numbers rather than auto_pad: the file then says exactly what
        // ConvSharp computes, and a border mode other than zeros needs the numbers anyway.
        var (top, bottom, left, right) = conv.Padding.For(x.Dims[1], x.Dims[2], conv.KernelSize, conv.Stride, conv.Dilation);
        var input = x.Name;
        long[] pads = [top, left, bottom, right];
        if (conv.PaddingMode != PaddingMode.Zeros && pads.Any(p => p != 0))
        {
            input = BorderExport.Pad(g, path, x, conv.PaddingMode, top, bottom, left, right);
            pads = [0, 0, 0, 0];
        }

        return g.Node(
            "Conv", path, Inputs(g, path, input, conv.Weight, conv.Bias),
            Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W),
            Ints("strides", conv.Stride.H, conv.Stride.W),
            Ints("dilations", conv.Dilation.H, conv.Dilation.W),
            Ints("pads", pads),
            Int("group", conv.Groups));
    }

    public static string ConvTranspose2d(GraphBuilder g, ConvTranspose2d conv, string path, Activation x)
    {
        return g.Node(
            "ConvTranspose", path, Inputs(g, path, x.Name, conv.Weight, conv.Bias),
            Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W),
            Ints("strides", conv.Stride.H, conv.Stride.W),
            Ints("dilations", conv.Dilation.H, conv.Dilation.W),
            Ints("pads", conv.Padding.H, conv.Padding.W, conv.Padding.H, conv.Padding.W),
            Ints("output_padding", conv.OutputPadding.H, conv.OutputPadding.W),
            Int("group", conv.Groups));
    }

    /// <summary>The node's inputs as ONNX orders them: the activation, the weight, then the bias if there is one.</summary>
    private static List<string> Inputs(GraphBuilder g, string path, string input, Tensor weight, Tensor? bias)
    {
        List<string> inputs = [input, g.Weight(weight, LayerPath.Child(path, "weight"))];
        if (bias is not null)
        {
            inputs.Add(g.Weight(bias, LayerPath.Child(path, "bias")));
        }

        return inputs;
    }
}
