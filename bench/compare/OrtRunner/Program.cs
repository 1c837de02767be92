using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// usage: OrtRunner <torch.json with "onnx" paths> <out.json> <threads>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: OrtRunner TORCH_JSON OUT_JSON THREADS");
    return 2;
}

var threads = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
using var document = JsonDocument.Parse(File.ReadAllText(args[0]));
var results = new List<Dictionary<string, object>>();
foreach (var c in document.RootElement.GetProperty("cases").EnumerateArray())
{
    if (!c.TryGetProperty("onnx", out var onnx))
    {
        continue;
    }

    using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    using var session = new InferenceSession(onnx.GetString()!, options);
    var input = session.InputMetadata["x"];
    var shape = input.Dimensions;
    var random = new Random(1);
    var data = new float[shape.Aggregate(1, (a, b) => a * b)];
    for (var i = 0; i < data.Length; i++)
    {
        data[i] = (float)random.NextDouble();
    }

    var tensor = new DenseTensor<float>(data, shape);
    var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("x", tensor) };
    var ms = Median(() =>
    {
        using var output = session.Run(inputs);
    });
    var name = c.GetProperty("name").GetString()!;
    results.Add(new() { ["name"] = name, ["fwd_ms"] = ms });
    Console.WriteLine($"  {name}: onnxruntime forward {ms:F3} ms");
}

File.WriteAllText(args[1], JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["library"] = $"ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}",
    ["threads"] = threads,
    ["cases"] = results,
}));
return 0;

static double Median(Action action)
{
    var watch = Stopwatch.StartNew();
    var calls = 0;
    do
    {
        action();
        calls++;
    }
    while (watch.Elapsed.TotalMilliseconds < 300 || calls < 3);

    var batch = Math.Max(1, (int)Math.Ceiling(2.0 / Math.Max(watch.Elapsed.TotalMilliseconds / calls, 1e-6)));
    var times = new double[15];
    for (var s = 0; s < times.Length; s++)
    {
        watch.Restart();
        for (var i = 0; i < batch; i++)
        {
            action();
        }

        times[s] = watch.Elapsed.TotalMilliseconds / batch;
    }

    Array.Sort(times);
    return times[times.Length / 2];
}
