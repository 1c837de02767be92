using ConvSharp.Nn;
using ConvSharp.Onnx;

namespace ConvSharp.Tests.Onnx;

/// <summary>Conv2d and ConvTranspose2d, exported and run in ONNX Runtime, against ConvSharp's forward.</summary>
[Trait("Category", "Onnx")]
public class OnnxConvTests
{
    private static readonly Dictionary<string, Func<Module>> Convs = new()
    {
        ["padding 0"] = () => new Conv2d(3, 4, kernelSize: 3),
        ["padding 2, kernel 5"] = () => new Conv2d(3, 4, kernelSize: 5, padding: 2),
        ["padding (1, 2), kernel (3, 5)"] = () => new Conv2d(3, 4, kernelSize: (3, 5), padding: (1, 2)),
        ["valid"] = () => new Conv2d(3, 4, kernelSize: 3, padding: Padding.Valid),
        ["same, odd kernel"] = () => new Conv2d(3, 4, kernelSize: 3, padding: Padding.Same),
        ["same, even kernel (extra row and column at the end)"] = () => new Conv2d(3, 4, kernelSize: (2, 4), padding: Padding.Same),
        ["same, stride 2"] = () => new Conv2d(3, 4, kernelSize: 3, stride: 2, padding: Padding.Same),
        ["same, stride (2, 3), dilation 2, even kernel"] = () => new Conv2d(3, 4, kernelSize: (4, 2), stride: (2, 3), padding: Padding.Same, dilation: 2),
        ["asymmetric (0, 2, 1, 3)"] = () => new Conv2d(3, 4, kernelSize: 3, padding: Padding.Explicit(0, 2, 1, 3)),
        ["asymmetric, stride 2"] = () => new Conv2d(3, 4, kernelSize: 3, stride: 2, padding: Padding.Explicit(2, 0, 0, 1)),
        ["stride (2, 1)"] = () => new Conv2d(3, 4, kernelSize: 3, stride: (2, 1), padding: 1),
        ["dilation (2, 3)"] = () => new Conv2d(3, 4, kernelSize: 3, dilation: (2, 3), padding: 1),
        ["groups 3"] = () => new Conv2d(3, 6, kernelSize: 3, groups: 3, padding: 1),
        ["depthwise 6 → 6, groups 6"] = () => new Sequential(new Conv2d(3, 6, kernelSize: 1), new Conv2d(6, 6, kernelSize: 3, groups: 6)),
        ["no bias"] = () => new Conv2d(3, 4, kernelSize: 3, bias: false),
        ["1×1"] = () => new Conv2d(3, 8, kernelSize: 1),
    };

    private static readonly Dictionary<string, Func<Module>> Transposed = new()
    {
        ["plain"] = () => new ConvTranspose2d(3, 4, kernelSize: 3),
        ["stride 2, padding 1, output_padding 1"] = () => new ConvTranspose2d(3, 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1),
        ["stride (2, 3), padding (0, 1), output_padding (1, 2)"] = () => new ConvTranspose2d(3, 4, kernelSize: (2, 4), stride: (2, 3), padding: (0, 1), outputPadding: (1, 2)),
        ["groups 3, no bias"] = () => new ConvTranspose2d(3, 6, kernelSize: 3, groups: 3, bias: false),
        ["dilation 2, stride 2"] = () => new ConvTranspose2d(3, 4, kernelSize: 3, stride: 2, dilation: 2, padding: 1),
    };

    public static TheoryData<string> ConvNames => [.. Convs.Keys];

    public static TheoryData<string> TransposedNames => [.. Transposed.Keys];

    public static TheoryData<PaddingMode, string> BorderCases
    {
        get
        {
            var data = new TheoryData<PaddingMode, string>();
            foreach (var mode in new[] { PaddingMode.Reflect, PaddingMode.Replicate, PaddingMode.Circular, PaddingMode.Symmetric })
            {
                foreach (var padding in new[] { "1", "same, stride 2", "asymmetric" })
                {
                    data.Add(mode, padding);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ConvNames))]
    public void Conv2d_matches(string name) =>
        OrtCheck.AgreesWithConvSharp(OrtCheck.Randomize(Convs[name]()), OrtCheck.Input(2, 3, 11, 10));

    [Theory]
    [MemberData(nameof(BorderCases))]
    public void Conv2d_border_modes_match(PaddingMode mode, string padding)
    {
        var conv = padding switch
        {
            "1" => new Conv2d(3, 4, kernelSize: 3, padding: 1, paddingMode: mode),
            "same, stride 2" => new Conv2d(3, 4, kernelSize: (3, 4), stride: 2, padding: Padding.Same, paddingMode: mode),
            _ => new Conv2d(3, 4, kernelSize: 3, padding: Padding.Explicit(2, 0, 1, 3), paddingMode: mode),
        };
        OrtCheck.AgreesWithConvSharp(OrtCheck.Randomize(conv), OrtCheck.Input(2, 3, 9, 8));
    }

    /// <summary>PyTorch's exporter refuses padding='same' with stride 2 (and PyTorch itself refuses the layer); here it is explicit pads.</summary>
    [Fact]
    public void Same_padding_with_stride_2_keeps_ceil_of_half_the_size()
    {
        var conv = OrtCheck.Randomize(new Conv2d(2, 3, kernelSize: 3, stride: 2, padding: Padding.Same));
        var input = OrtCheck.Input(1, 2, 7, 8);
        OrtCheck.AgreesWithConvSharp(conv, input);
        var output = OrtCheck.Run(OnnxExport.ToBytes(conv, 2, 7, 8), input);
        Assert.Equal([1, 3, 4, 4], output.Shape);
    }

    [Theory]
    [MemberData(nameof(TransposedNames))]
    public void ConvTranspose2d_matches(string name) =>
        OrtCheck.AgreesWithConvSharp(OrtCheck.Randomize(Transposed[name]()), OrtCheck.Input(2, 3, 5, 6));
}
