using System.CommandLine;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Cli.LeNet;
using ConvSharp.Onnx;

namespace ConvSharp.Cli.Commands;

/// <summary>
/// <c>convsharp lenet export</c>: a saved LeNet as an ONNX model, for ONNX Runtime and other ONNX
/// tools. The result is the file (or with <c>-o -</c> its bytes on stdout); "wrote …" goes to stderr.
/// </summary>
internal static class LenetExportCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "A LeNet state dict as safetensors (from lenet train, or PyTorch's state_dict() with its keys 0.weight … 11.bias).", Required = true }.NotEmpty();
        var variant = new Option<string>("--variant") { Description = "d2l: the book's sigmoid + average pooling; modern: ReLU + max pooling.", DefaultValueFactory = _ => "d2l" };
        variant.AcceptOnlyFromAmong("d2l", "modern");
        var output = CliOptions.Output("The .onnx file to write (- for stdout): input (N, 1, 28, 28) float32, N any batch size; output (N, 10) logits.");
        output.Required = true;
        var command = new Command("export", $"Write a saved LeNet as an ONNX model (opset {OnnxExport.Opset}) that ONNX Runtime runs.") { weights, variant, output };
        CliHelp.Examples(
            command,
            "convsharp lenet export --weights lenet/model.safetensors -o lenet.onnx",
            "convsharp lenet export --weights modern/model.safetensors --variant modern -o - > modern.onnx");
        command.SetAction(parseResult => CliContext.Run(parseResult, context =>
        {
            var kind = parseResult.GetValue(variant) == "modern" ? LeNetVariant.Modern : LeNetVariant.D2l;
            var weightsPath = parseResult.GetValue(weights)!;
            var outputPath = parseResult.GetValue(output)!;
            var toStdout = outputPath == CliOptions.Standard;
            var plan = new FilePlan();
            if (toStdout)
            {
                Staging.CheckStandardOutput(context, "--output");
            }
            else
            {
                plan.Reads(weightsPath);
                plan.Writes(outputPath, "--output");
                OutputFolder.Check(OutputFolder.Of(outputPath), "--output");
            }

            var network = LeNetWeights.Load(weightsPath, kind);
            if (toStdout)
            {
                using var staging = new Staging();
                OnnxExport.Save(network, staging.File("model.onnx"), channels: 1, height: 28, width: 28);
                Staging.ToStandardOutput(context, staging.File("model.onnx"));
            }
            else
            {
                OutputFolder.Prepare(OutputFolder.Of(outputPath), "--output", recursive: false, plan);
                OnnxExport.Save(network, outputPath, channels: 1, height: 28, width: 28);
            }

            context.Error.WriteLine($"wrote {(toStdout ? "standard output" : outputPath)}: LeNet ({kind.ToString().ToLowerInvariant()}), input (N, 1, 28, 28), output (N, 10)");
            return 0;
        }));
        return command;
    }
}
