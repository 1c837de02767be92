using ConvSharp.Nn;
using ConvSharp.Onnx;

namespace ConvSharp.Tests.Onnx;

/// <summary>
/// The ConvSharp.Onnx package's readme shows this code, verbatim, and the model it writes runs in
/// ONNX Runtime as it runs in ConvSharp.
/// </summary>
[Trait("Category", "Onnx")]
public class OnnxPackageReadmeTests
{
    private const string Example = """
        var net = new Sequential(new Conv2d(1, 8, kernelSize: 3, stride: 2, padding: Padding.Same), new ReLU());
        OnnxExport.Save(net, "net.onnx", channels: 1, height: 28, width: 28);
        """;

    [Fact]
    public void The_readme_shows_this_example()
    {
        var readme = File.ReadAllText(Path.Combine(ProjectTests.RepositoryRoot(), "src", "ConvSharp.Onnx", "README.md"));
        Assert.Contains(Example.ReplaceLineEndings("\n"), readme.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_example_writes_a_model_ONNX_Runtime_runs()
    {
        var folder = Directory.CreateTempSubdirectory("convsharp-onnx-readme-");
        try
        {
            // The example, with net.onnx in a folder of the test's own (the working directory is the whole process's).
            var path = Path.Combine(folder.FullName, "net.onnx");
            var net = new Sequential(new Conv2d(1, 8, kernelSize: 3, stride: 2, padding: Padding.Same), new ReLU());
            OnnxExport.Save(net, path, channels: 1, height: 28, width: 28);

            var input = OrtCheck.Input(2, 1, 28, 28);
            Tensor expected;
            using (Tensor.NoGrad())
            {
                expected = net.Forward(input);
            }

            Assert.Equal([2, 8, 14, 14], expected.Shape);
            OrtCheck.AssertClose(expected, OrtCheck.Run(File.ReadAllBytes(path), input));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
