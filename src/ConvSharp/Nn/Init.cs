namespace ConvSharp.Nn;

/// <summary>Parameter initialisation, drawing from the global generator as <c>torch.nn.init</c> does.</summary>
public static class Init
{
    /// <summary>Fills <paramref name="tensor"/> in place with U(low, high): <c>init.uniform_</c>.</summary>
    public static Tensor Uniform(Tensor tensor, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using (Tensor.NoGrad())
        {
            return tensor.CopyFrom(Tensor.Uniform(tensor.Shape, low, high));
        }
    }

    /// <summary>
    /// He (Kaiming) uniform initialisation with leaky-ReLU slope <paramref name="a"/> and fan-in:
    /// U(−b, b) with b = gain·√(3 / fan_in), gain = √(2 / (1 + a²)), computed in double as PyTorch does.
    /// </summary>
    public static Tensor KaimingUniform(Tensor tensor, double a)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var gain = Math.Sqrt(2.0 / (1 + (a * a)));
        var std = gain / Math.Sqrt(FanIn(tensor));
        var bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, (float)-bound, (float)bound);
    }

    /// <summary>
    /// Glorot (Xavier) uniform initialisation, the book's choice for LeNet: U(−b, b) with
    /// b = gain·√(6 / (fan_in + fan_out)), computed in double as <c>init.xavier_uniform_</c> does.
    /// </summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1.0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var bound = gain * Math.Sqrt(6.0 / (FanIn(tensor) + FanOut(tensor)));
        return Uniform(tensor, (float)-bound, (float)bound);
    }

    /// <summary>Outputs fed by each input: size(0) × the product of the kernel dimensions.</summary>
    public static int FanOut(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _ = FanIn(tensor);
        return tensor.NumElements / Math.Max(tensor.Dims[1], 1);
    }

    /// <summary>Inputs feeding each output: size(1) × the product of the kernel dimensions.</summary>
    public static int FanIn(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
        {
            throw new ArgumentException(
                $"Fan in can not be computed for tensor with fewer than 2 dimensions (shape {Shapes.Format(tensor.Dims)})", nameof(tensor));
        }

        return tensor.NumElements / Math.Max(tensor.Dims[0], 1);
    }
}
