namespace ConvSharp;

/// <summary>Factories: from C# arrays, constants, ranges and random draws.</summary>
public partial class Tensor
{
    /// <summary>A 0-dimensional tensor holding one value: <c>torch.tensor(3.0)</c>.</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>A 1-D tensor copied from <paramref name="values"/>.</summary>
    public static Tensor From(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Tensor((float[])values.Clone(), [values.Length]);
    }

    /// <summary>A 2-D tensor copied from a rectangular array: <c>torch.tensor([[...], ...])</c>.</summary>
    public static Tensor From(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Tensor(Flatten(values), [values.GetLength(0), values.GetLength(1)]);
    }

    /// <summary>A 3-D tensor copied from a rectangular array.</summary>
    public static Tensor From(float[,,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Tensor(Flatten(values), [values.GetLength(0), values.GetLength(1), values.GetLength(2)]);
    }

    /// <summary>A 4-D tensor copied from a rectangular array, e.g. (N, C, H, W) or (OC, C, KH, KW).</summary>
    public static Tensor From(float[,,,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Tensor(
            Flatten(values),
            [values.GetLength(0), values.GetLength(1), values.GetLength(2), values.GetLength(3)]);
    }

    /// <summary>A tensor of the given shape copied from row-major <paramref name="data"/>.</summary>
    /// <example><c>Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)</c></example>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        CheckHolds(shape, data.Length, nameof(data));
        return new Tensor((float[])data.Clone(), (int[])shape.Clone());
    }

    /// <summary>A tensor filled with 0.</summary>
    public static Tensor Zeros(params int[] shape) => Full(shape, 0f);

    /// <summary>A tensor filled with 1.</summary>
    public static Tensor Ones(params int[] shape) => Full(shape, 1f);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, float value)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var tensor = Uninitialized((int[])shape.Clone());
        Array.Fill(tensor.Storage.Data, value);
        return tensor;
    }

    /// <summary>A tensor of zeros with the shape of <paramref name="other"/>.</summary>
    public static Tensor ZerosLike(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Zeros(other.Dims);
    }

    /// <summary>A tensor of ones with the shape of <paramref name="other"/>.</summary>
    public static Tensor OnesLike(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Ones(other.Dims);
    }

    /// <summary>0, 1, …, end − 1: <c>torch.arange(end)</c>.</summary>
    public static Tensor Arange(float end) => Arange(0f, end, 1f);

    /// <summary>start, start + step, … up to but excluding end: <c>torch.arange(start, end, step)</c>.</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0f || !float.IsFinite(step) || !float.IsFinite(start) || !float.IsFinite(end))
        {
            throw new ArgumentException($"arange needs finite bounds and a non-zero step, got start={start}, end={end}, step={step}.");
        }

        if ((end - start) / step < 0)
        {
            throw new ArgumentException(
                $"upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step}).");
        }

        var steps = Math.Ceiling(((double)end - start) / step);
        if (steps > Array.MaxLength)
        {
            throw new ArgumentException(
                $"arange(start={start}, end={end}, step={step}) would hold {steps:G4} values, more than one .NET array holds ({Array.MaxLength}).");
        }

        var count = (int)steps;
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = (float)(start + ((double)i * step));
        }

        return new Tensor(data, [count]);
    }

    /// <summary>Uniform values in [0, 1) from the global generator (<see cref="Rng.ManualSeed"/>): <c>torch.rand</c>.</summary>
    public static Tensor Rand(params int[] shape) => Uniform(shape, 0f, 1f);

    /// <summary>Uniform values in [low, high) from the global generator.</summary>
    public static Tensor Uniform(int[] shape, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var data = new float[Shapes.NumElements(shape)];
        Rng.Default.FillUniform(data, low, high);
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>Standard normal values from the global generator: <c>torch.randn</c>.</summary>
    public static Tensor Randn(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var data = new float[Shapes.NumElements(shape)];
        Rng.Default.FillNormal(data, 0f, 1f);
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>Implicit scalar: lets <c>x[.., 2..6] = 0</c> and <c>t + 1</c> read as in PyTorch.</summary>
    public static implicit operator Tensor(float value) => Scalar(value);

    private static float[] Flatten(Array values)
    {
        var result = new float[values.Length];
        var i = 0;
        foreach (float v in values)
        {
            result[i++] = v;
        }

        return result;
    }
}
