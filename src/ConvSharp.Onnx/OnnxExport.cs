using ConvSharp.Interop;
using ConvSharp.Nn;
using Google.Protobuf;

namespace ConvSharp.Onnx;

/// <summary>
/// Writes a ConvSharp model as an ONNX model (opset 19) that ONNX Runtime and other ONNX tools run.
/// </summary>
/// <remarks>
/// <para>
/// The graph has one float32 input of shape (N, C, H, W) and one output, both with a dynamic
/// batch dimension named "N"; C, H and W are fixed at export, because 'same' padding, pooling
/// and adaptive pooling are written out for that size. Parameters and buffers become
/// initializers named by their state-dict keys (<c>0.weight</c>, <c>1.running_mean</c>).
/// </para>
/// <para>
/// The export describes the model in evaluation mode, whatever its <see cref="Module.Training"/>
/// flag: BatchNorm2d normalises with its running statistics and Dropout passes its input
/// through. Compare against <c>model.Eval()</c>'s forward.
/// </para>
/// <para>
/// Exported layers: <see cref="Sequential"/> (nested too), <see cref="Conv2d"/> (every padding,
/// 'same' with any stride, asymmetric, and every border mode), <see cref="ConvTranspose2d"/>,
/// <see cref="ReLU"/>, <see cref="Sigmoid"/>, <see cref="Tanh"/>, <see cref="MaxPool2d"/>,
/// <see cref="AvgPool2d"/> (without divisor_override), <see cref="AdaptiveAvgPool2d"/> (to 1×1, or
/// to a size dividing the input), <see cref="Flatten"/> (keeping the batch), <see cref="Linear"/>,
/// <see cref="BatchNorm2d"/> (with running statistics), <see cref="Softmax"/> and
/// <see cref="Dropout"/>. Anything else is refused with a <see cref="NotSupportedException"/>
/// naming the layer's type and its path in the model.
/// </para>
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the exported models import.</summary>
    public const int Opset = ModelBuilder.Opset;

    /// <summary>
    /// Exports <paramref name="model"/> for inputs of (N, <paramref name="channels"/>,
    /// <paramref name="height"/>, <paramref name="width"/>) to the file <paramref name="path"/>,
    /// written whole or not at all (a temporary file beside it, then renamed).
    /// </summary>
    /// <exception cref="NotSupportedException">the model holds a layer, or a layer setting, that ONNX cannot express</exception>
    /// <exception cref="ArgumentException">a layer cannot take the input it would get, or a size is below 1</exception>
    /// <exception cref="IOException">the file cannot be written; nothing is left at <paramref name="path"/> that was not there before</exception>
    public static void Save(Module model, string path, int channels, int height, int width, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var proto = Build(model, channels, height, width, options);
        AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>Exports <paramref name="model"/> as <see cref="Save"/> does, onto <paramref name="stream"/>.</summary>
    public static void Write(Module model, Stream stream, int channels, int height, int width, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Build(model, channels, height, width, options).WriteTo(stream);
    }

    /// <summary>Exports <paramref name="model"/> as <see cref="Save"/> does, into memory: the bytes of an .onnx file.</summary>
    public static byte[] ToBytes(Module model, int channels, int height, int width, OnnxExportOptions? options = null) =>
        Build(model, channels, height, width, options).ToByteArray();

    /// <summary>The whole model is built before a byte is written, so a refused layer leaves no file behind.</summary>
    private static global::Onnx.ModelProto Build(Module model, int channels, int height, int width, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return ModelBuilder.Build(model, channels, height, width, options ?? new OnnxExportOptions());
    }
}
