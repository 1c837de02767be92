using ConvSharp.Autograd;

namespace ConvSharp.Convolution;

/// <summary>
/// Padding of the last two dimensions in any <see cref="PaddingMode"/>. Each axis gets an index
/// map from padded position to source position (−1 for the constant border); the forward pass
/// gathers through the maps and the backward pass scatters the gradient back through them, so
/// every mode has an exact gradient from the same twenty lines.
/// </summary>
internal static class Pad
{
    public static Tensor Forward(Tensor x, int left, int right, int top, int bottom, PaddingMode mode, float value)
    {
        if (x.Rank < 2)
        {
            throw new ArgumentException(
                $"pad of the last two dimensions needs a tensor of at least 2 dimensions, but got shape {Shapes.Format(x.Dims)}", nameof(x));
        }

        var (h, w) = (x.Dims[^2], x.Dims[^1]);
        var rows = SourceIndices(h, top, bottom, mode, x.Dims, x.Rank - 2);
        var cols = SourceIndices(w, left, right, mode, x.Dims, x.Rank - 1);
        var planes = h * w == 0 ? 0 : x.NumElements / (h * w);
        var source = x.ContiguousSpan();
        var result = new float[planes * rows.Length * cols.Length];
        var o = 0;
        for (var p = 0; p < planes; p++)
        {
            var plane = source.Slice(p * h * w, h * w);
            foreach (var r in rows)
            {
                foreach (var c in cols)
                {
                    result[o++] = r < 0 || c < 0 ? value : plane[(r * w) + c];
                }
            }
        }

        int[] shape = [.. x.Dims[..^2], rows.Length, cols.Length];
        return Tensor.Record(new Tensor(result, shape), () => new PadBackward(mode, x.Dims, rows, cols), x);
    }

    /// <summary>For each padded position along one axis, the source position it copies, or −1 for the constant value.</summary>
    private static int[] SourceIndices(int size, int before, int after, PaddingMode mode, int[] shape, int dim)
    {
        if (before < 0 || after < 0)
        {
            throw new ArgumentException($"negative padding is not supported (padding ({before}, {after}) at dimension {dim})");
        }

        var tooLarge = mode switch
        {
            PaddingMode.Reflect => before >= size || after >= size,
            PaddingMode.Circular or PaddingMode.Symmetric => before > size || after > size,
            PaddingMode.Replicate => size == 0 && before + after > 0,
            _ => false,
        };
        if (tooLarge)
        {
            throw new ArgumentException(mode == PaddingMode.Reflect
                ? $"Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ({before}, {after}) at dimension {dim} of input {Shapes.Format(shape)}"
                : $"{mode} padding ({before}, {after}) at dimension {dim} of input {Shapes.Format(shape)} must not exceed the input size {size}");
        }

        var map = new int[before + size + after];
        for (var i = 0; i < map.Length; i++)
        {
            var p = i - before;
            map[i] = mode switch
            {
                PaddingMode.Zeros => p >= 0 && p < size ? p : -1,
                PaddingMode.Replicate => Math.Clamp(p, 0, size - 1),
                PaddingMode.Circular => ((p % size) + size) % size,
                PaddingMode.Reflect => p < 0 ? -p : p >= size ? (2 * (size - 1)) - p : p,
                _ => p < 0 ? -p - 1 : p >= size ? (2 * size) - 1 - p : p,
            };
        }

        return map;
    }
}

/// <summary>Scatters the gradient of a padded tensor back through the index maps (border copies add up).</summary>
internal sealed class PadBackward(PaddingMode mode, int[] inputShape, int[] rows, int[] cols) : Node
{
    public override string Name => mode switch
    {
        PaddingMode.Zeros => "ConstantPadNdBackward0",
        PaddingMode.Reflect => "ReflectionPad2DBackward0",
        PaddingMode.Replicate => "ReplicationPad2DBackward0",
        PaddingMode.Circular => "CircularPad2DBackward0",
        _ => "SymmetricPad2DBackward0",
    };

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        var (h, w) = (inputShape[^2], inputShape[^1]);
        var grad = new float[Shapes.NumElements(inputShape)];
        var planes = h * w == 0 ? 0 : grad.Length / (h * w);
        var g = gradOutput.ContiguousSpan();
        var o = 0;
        for (var p = 0; p < planes; p++)
        {
            var plane = grad.AsSpan(p * h * w, h * w);
            foreach (var r in rows)
            {
                foreach (var c in cols)
                {
                    if (r >= 0 && c >= 0)
                    {
                        plane[(r * w) + c] += g[o];
                    }

                    o++;
                }
            }
        }

        return [new Tensor(grad, inputShape)];
    }
}
