using ConvSharp.Cli.LeNet;
using ConvSharp.Nn;
using ConvSharp.Onnx;
using ConvSharp.Tests.Support;
using ModelProto = global::Onnx.ModelProto;

namespace ConvSharp.Tests.Onnx;

/// <summary>Whole models, the graph's interface, files and refusals.</summary>
[Trait("Category", "Onnx")]
public class OnnxModelTests
{
    [Theory]
    [InlineData("d2l", 1)]
    [InlineData("d2l", 7)]
    [InlineData("modern", 1)]
    [InlineData("modern", 7)]
    public void LeNet_matches_for_any_batch_size(string variant, int batch)
    {
        var net = LeNetModel.Create(variant == "modern" ? LeNetVariant.Modern : LeNetVariant.D2l);
        LeNetModel.InitXavier(net);
        OrtCheck.AgreesWithConvSharp(net, OrtCheck.Input(batch, 1, 28, 28, seed: batch));
    }

    [Fact]
    public void One_export_runs_batches_of_1_and_7()
    {
        var net = OrtCheck.Randomize(LeNetModel.Create(LeNetVariant.Modern));
        var bytes = OnnxExport.ToBytes(net, 1, 28, 28);
        foreach (var batch in new[] { 1, 7 })
        {
            var input = OrtCheck.Input(batch, 1, 28, 28, seed: batch);
            using var noGrad = Tensor.NoGrad();
            OrtCheck.AssertClose(net.Forward(input), OrtCheck.Run(bytes, input));
        }
    }

    [Fact]
    public void The_graph_has_a_dynamic_batch_and_state_dict_names()
    {
        var net = LeNetModel.Create(LeNetVariant.D2l);
        var model = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(net, 1, 28, 28));

        Assert.Equal(OnnxExport.Opset, Assert.Single(model.OpsetImport).Version);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("input", input.Name);
        var inputDims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("N", inputDims[0].DimParam);
        Assert.Equal([1L, 28, 28], inputDims.Skip(1).Select(d => d.DimValue));
        var output = Assert.Single(model.Graph.Output);
        Assert.Equal("output", output.Name);
        Assert.Equal("N", output.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(10, output.Type.TensorType.Shape.Dim[1].DimValue);

        Assert.Equal(net.StateDict().Keys, model.Graph.Initializer.Select(i => i.Name));
        var weight = model.Graph.Initializer.Single(i => i.Name == "7.weight");
        Assert.Equal([120L, 400], weight.Dims);
        Assert.Equal(net.StateDict()["7.weight"].ToArray(), Floats(weight.RawData.ToByteArray()));
    }

    [Fact]
    public void Names_come_from_the_options()
    {
        var options = new OnnxExportOptions { InputName = "images", OutputName = "logits", GraphName = "lenet", Description = "test" };
        var net = OrtCheck.Randomize(new Sequential(new Conv2d(1, 2, kernelSize: 3), new Flatten()));
        var bytes = OnnxExport.ToBytes(net, 1, 5, 5, options);
        var model = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(("images", "logits", "lenet", "test"), (model.Graph.Input[0].Name, model.Graph.Output[0].Name, model.Graph.Name, model.DocString));
        var input = OrtCheck.Input(3, 1, 5, 5);
        using var noGrad = Tensor.NoGrad();
        OrtCheck.AssertClose(net.Forward(input), OrtCheck.Run(bytes, input, "images"));
    }

    [Fact]
    public void A_layer_used_twice_stores_its_weights_once()
    {
        var conv = new Conv2d(2, 2, kernelSize: 3, padding: 1);
        var net = OrtCheck.Randomize(new Sequential(conv, new ReLU(), conv));
        var bytes = OrtCheck.AgreesWithConvSharp(net, OrtCheck.Input(2, 2, 6, 6));
        Assert.Equal(["0.weight", "0.bias"], ModelProto.Parser.ParseFrom(bytes).Graph.Initializer.Select(i => i.Name));
    }

    [Fact]
    public void Save_writes_the_bytes_and_Write_streams_them()
    {
        using var folder = new TempFolder();
        var net = OrtCheck.Randomize(LeNetModel.Create(LeNetVariant.D2l));
        var path = folder.File("lenet.onnx");
        OnnxExport.Save(net, path, 1, 28, 28);
        var bytes = OnnxExport.ToBytes(net, 1, 28, 28);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        using var stream = new MemoryStream();
        OnnxExport.Write(net, stream, 1, 28, 28);
        Assert.Equal(bytes, stream.ToArray());
        Assert.Equal(["lenet.onnx"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_refused_model_leaves_the_old_file_as_it_was_and_no_temporary_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "old");
        var net = new Sequential(new Conv2d(1, 2, kernelSize: 3), new Corr2dLayer((2, 2)));
        Assert.Throws<NotSupportedException>(() => OnnxExport.Save(net, path, 1, 8, 8));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void An_unsupported_layer_is_named_with_its_type_and_path()
    {
        var net = new Sequential(new Conv2d(1, 2, kernelSize: 3), new Sequential(new ReLU(), new Corr2dLayer((2, 2))));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(net, 1, 8, 8));
        Assert.StartsWith("ONNX export does not support Corr2dLayer at '1.1'; it exports Sequential, Conv2d", e.Message, StringComparison.Ordinal);

        var root = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new CrossEntropyLoss(), 1, 8, 8));
        Assert.Contains("CrossEntropyLoss (the model itself)", root.Message, StringComparison.Ordinal);

        var custom = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new Sequential(new Doubling()), 1, 8, 8));
        Assert.Contains("Doubling at '0'", custom.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_ONNX_cannot_express_are_refused_clearly()
    {
        var divisor = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new Sequential(new AvgPool2d(2, divisorOverride: 3)), 1, 8, 8));
        Assert.Equal("AvgPool2d at '0' has divisor_override=3, which ONNX's AveragePool cannot express (it divides by the window size)", divisor.Message);

        var adaptive = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new AdaptiveAvgPool2d(3), 1, 8, 8));
        Assert.Contains("pools a 8×8 input to 3×3", adaptive.Message, StringComparison.Ordinal);

        var batchStatistics = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new BatchNorm2d(1, trackRunningStats: false), 1, 8, 8));
        Assert.Contains("track_running_stats=False", batchStatistics.Message, StringComparison.Ordinal);

        var batchMerged = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new Flatten(0), 1, 8, 8));
        Assert.Contains("merging the batch dimension", batchMerged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_a_layer_cannot_take_is_refused_naming_the_layer()
    {
        var net = new Sequential(new Conv2d(1, 2, kernelSize: 3), new Flatten(), new Linear(10, 2));
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(net, 1, 8, 8));
        Assert.StartsWith("Linear at '2' cannot take its input (N, 72): ", e.Message, StringComparison.Ordinal);

        var norm = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(new BatchNorm2d(2), 3, 8, 8));
        Assert.Contains("expects (N, 2, H, W), but its input is (N, 3, 8, 8)", norm.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExport.ToBytes(new ReLU(), 1, 0, 8));

        // ConvSharp would run these on (N, 3, 72) as on an unbatched image; ONNX's nodes could not.
        foreach (var layer in new Module[] { new Conv2d(1, 4, kernelSize: 3), new MaxPool2d(2) })
        {
            var flat = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(new Sequential(new Flatten(2), layer), 3, 9, 8));
            Assert.EndsWith("at '1' takes (N, C, H, W), but its input would be (N, 3, 72)", flat.Message, StringComparison.Ordinal);
        }
    }

    private static float[] Floats(byte[] raw)
    {
        var values = new float[raw.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * sizeof(float)));
        }

        return values;
    }

    private sealed class Doubling : Module
    {
        public override Tensor Forward(Tensor input) => input * 2f;
    }
}
