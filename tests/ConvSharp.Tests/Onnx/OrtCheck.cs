using ConvSharp.Nn;
using ConvSharp.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace ConvSharp.Tests.Onnx;

/// <summary>Runs exported models in ONNX Runtime and compares them with ConvSharp's own forward.</summary>
internal static class OrtCheck
{
    /// <summary>The largest difference allowed between ONNX Runtime's output and ConvSharp's.</summary>
    public const float Tolerance = 1e-4f;

    /// <summary>
    /// Gives every parameter and buffer of <paramref name="model"/> seeded random values (running
    /// variances positive), so a test does not depend on the global generator or on identity
    /// statistics, and returns the model.
    /// </summary>
    public static TModule Randomize<TModule>(TModule model, int seed = 1)
        where TModule : Module
    {
        var random = new Random(seed);
        using var noGrad = Tensor.NoGrad();
        foreach (var (_, parameter) in model.NamedParameters())
        {
            parameter.CopyFrom(Uniform(random, parameter.Shape, -0.5, 0.5));
        }

        foreach (var (name, buffer) in model.NamedBuffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
            {
                buffer.CopyFrom(Uniform(random, buffer.Shape, -0.5, 0.5));
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                buffer.CopyFrom(Uniform(random, buffer.Shape, 0.5, 1.5));
            }
        }

        return model;
    }

    /// <summary>A seeded (N, C, H, W) input in [-1, 1).</summary>
    public static Tensor Input(int n, int c, int h, int w, int seed = 2) => Uniform(new Random(seed), [n, c, h, w], -1, 1);

    /// <summary>
    /// Exports <paramref name="model"/> for (C, H, W) of <paramref name="input"/>, runs it in ONNX
    /// Runtime, and asserts that the output has ConvSharp's shape and values within
    /// <see cref="Tolerance"/> of <c>model.Eval()</c>'s forward. Returns the exported bytes.
    /// </summary>
    public static byte[] AgreesWithConvSharp(Module model, Tensor input)
    {
        model.Eval();
        var bytes = OnnxExport.ToBytes(model, input.Size(1), input.Size(2), input.Size(3));
        Tensor expected;
        using (Tensor.NoGrad())
        {
            expected = model.Forward(input);
        }

        AssertClose(expected, Run(bytes, input));
        return bytes;
    }

    /// <summary>Asserts that <paramref name="actual"/> is within <see cref="Tolerance"/> of <paramref name="expected"/>; returns the largest difference.</summary>
    public static float AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var (e, a) = (expected.ToArray(), actual.ToArray());
        var worst = 0;
        for (var i = 1; i < e.Length; i++)
        {
            if (Math.Abs(e[i] - a[i]) > Math.Abs(e[worst] - a[worst]))
            {
                worst = i;
            }
        }

        Assert.True(e.Length > 0, "empty output");
        Assert.True(
            Math.Abs(e[worst] - a[worst]) <= Tolerance,
            $"ONNX Runtime gives {a[worst]} at flat index {worst} of {string.Join("×", expected.Shape)}, ConvSharp {e[worst]}");
        return Math.Abs(e[worst] - a[worst]);
    }

    /// <summary>Runs an ONNX model on <paramref name="input"/> in ONNX Runtime (CPU) and returns its only output.</summary>
    public static Tensor Run(byte[] model, Tensor input, string inputName = "input")
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input.ToArray(), input.Shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [value], session.OutputNames);
        var output = Assert.Single(outputs);
        var shape = output.GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
        return Tensor.FromArray(output.GetTensorDataAsSpan<float>().ToArray(), shape);
    }

    private static Tensor Uniform(Random random, int[] shape, double low, double high)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(low + ((high - low) * random.NextDouble()));
        }

        return Tensor.FromArray(values, shape);
    }
}
