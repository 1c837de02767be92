using ConvSharp.Nn;

namespace ConvSharp.Tests.Onnx;

/// <summary>Pooling, activations and the dense layers, exported and run in ONNX Runtime, against ConvSharp's forward.</summary>
[Trait("Category", "Onnx")]
public class OnnxLayerTests
{
    private static readonly Dictionary<string, Func<Module>> Layers = new()
    {
        ["ReLU"] = () => new ReLU(),
        ["Sigmoid"] = () => new Sigmoid(),
        ["Tanh"] = () => new Tanh(),
        ["MaxPool2d 2"] = () => new MaxPool2d(2),
        ["MaxPool2d 3, stride 2, padding 1"] = () => new MaxPool2d(3, stride: 2, padding: 1),
        ["MaxPool2d (3, 2), dilation 2"] = () => new MaxPool2d((3, 2), stride: 1, dilation: 2),
        ["MaxPool2d 3, stride 2, ceil_mode"] = () => new MaxPool2d(3, stride: 2, ceilMode: true),
        ["MaxPool2d 2, stride 2, padding 1, ceil_mode"] = () => new MaxPool2d(2, stride: 2, padding: 1, ceilMode: true),
        ["AvgPool2d 2"] = () => new AvgPool2d(2),
        ["AvgPool2d 3, stride 2, padding 1"] = () => new AvgPool2d(3, stride: 2, padding: 1),
        ["AvgPool2d 3, stride 2, padding 1, count_include_pad=False"] = () => new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false),
        ["AvgPool2d 3, stride 2, ceil_mode"] = () => new AvgPool2d(3, stride: 2, ceilMode: true),
        ["AvgPool2d 2, stride 2, padding 1, ceil_mode"] = () => new AvgPool2d(2, stride: 2, padding: 1, ceilMode: true),
        ["AvgPool2d 2, stride 2, padding 1, ceil_mode, count_include_pad=False"] = () => new AvgPool2d(2, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
        ["AdaptiveAvgPool2d 1"] = () => new AdaptiveAvgPool2d(1),
        ["AdaptiveAvgPool2d (3, 2), dividing 9×8"] = () => new AdaptiveAvgPool2d((3, 2)),
        ["AdaptiveAvgPool2d to the input size"] = () => new AdaptiveAvgPool2d((9, 8)),
        ["Flatten + Linear"] = () => new Sequential(new Flatten(), new Linear(3 * 9 * 8, 5)),
        ["Flatten + Linear without bias"] = () => new Sequential(new Flatten(), new Linear(3 * 9 * 8, 5, bias: false)),
        ["Flatten(2) + Linear on the last dimension"] = () => new Sequential(new Flatten(2), new Linear(9 * 8, 4)),
        ["Linear on the width of (N, C, H, W)"] = () => new Linear(8, 5),
        ["Flatten(1, 2)"] = () => new Flatten(1, 2),
        ["BatchNorm2d"] = () => new BatchNorm2d(3),
        ["BatchNorm2d, affine=False, eps 1e-3"] = () => new BatchNorm2d(3, eps: 1e-3, affine: false),
        ["Softmax over channels"] = () => new Softmax(1),
        ["Softmax over the last dimension"] = () => new Softmax(-1),
        ["Flatten + Softmax(1)"] = () => new Sequential(new Flatten(), new Softmax(1)),
        ["Dropout"] = () => new Dropout(0.5f),
        ["Conv2d + Dropout (last)"] = () => new Sequential(new Conv2d(3, 2, kernelSize: 3), new Dropout(0.3f)),
        ["nested Sequential"] = () => new Sequential(
            new Sequential(new Conv2d(3, 4, kernelSize: 3, padding: 1), new BatchNorm2d(4), new ReLU()),
            new Sequential(new Sequential(new MaxPool2d(2)), new Flatten()),
            new Linear(4 * 4 * 4, 3)),
    };

    public static TheoryData<string> LayerNames => [.. Layers.Keys];

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Layer_matches(string name) =>
        OrtCheck.AgreesWithConvSharp(OrtCheck.Randomize(Layers[name]()), OrtCheck.Input(2, 3, 9, 8));

    [Fact]
    public void BatchNorm2d_exports_its_running_statistics_even_in_training_mode()
    {
        var norm = OrtCheck.Randomize(new BatchNorm2d(3));
        norm.Train();
        var bytes = global::ConvSharp.Onnx.OnnxExport.ToBytes(norm, 3, 4, 4);
        Assert.True(norm.Training, "export must not change the model's mode");
        var input = OrtCheck.Input(2, 3, 4, 4);
        norm.Eval();
        Tensor expected;
        using (Tensor.NoGrad())
        {
            expected = norm.Forward(input);
        }

        OrtCheck.AssertClose(expected, OrtCheck.Run(bytes, input));
    }
}
