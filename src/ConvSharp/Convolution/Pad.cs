using System.Numerics;
using ConvSharp.Autograd;

namespace ConvSharp.Convolution;

/// <summary>
/// Padding of the last two dimensions in any <see cref="PaddingMode"/>. Each axis gets an index
/// map from padded position to source position (−1 for the constant border); the forward pass
/// gathers through the maps and the backward pass scatters the gradient back through them, so
/// every mode has an exact gradient from the same few lines. Negative padding crops, as in
/// PyTorch, for the constant mode only.
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
        CheckAxis(h, top, bottom, mode, x.Dims, x.Rank - 2);
        CheckAxis(w, left, right, mode, x.Dims, x.Rank - 1);
        var (height, width) = ((long)top + h + bottom, (long)left + w + right);
        CheckPaddedSize(x.Dims, height, width, (left, right, top, bottom));
        int[] shape = [.. x.Dims[..^2], (int)height, (int)width];
        var result = Tensor.Uninitialized(shape);

        // The maps are only built for a result that has elements: a huge padding of an empty tensor costs nothing.
        var empty = result.NumElements == 0;
        var rows = empty ? [] : SourceIndices(h, top, bottom, mode, x.Dims, x.Rank - 2);
        var cols = empty ? [] : SourceIndices(w, left, right, mode, x.Dims, x.Rank - 1);
        Gather(x.ContiguousSpan(), h, w, rows, cols, value, result.Storage.Data);
        return Tensor.Record(result, () => new PadBackward(mode, x.Dims, rows, cols), x);
    }

    /// <summary>Refuses, before any index map is built, a padded tensor larger than one array.</summary>
    private static void CheckPaddedSize(int[] shape, long rows, long columns, (int Left, int Right, int Top, int Bottom) pad)
    {
        var elements = (double)rows * columns;
        foreach (var d in shape.AsSpan(0, shape.Length - 2))
        {
            elements *= d;
        }

        if (rows > int.MaxValue || columns > int.MaxValue || elements > Array.MaxLength)
        {
            var padded = $"[{string.Join(", ", shape[..^2])}{(shape.Length > 2 ? ", " : "")}{rows}, {columns}]";
            throw new ArgumentException(
                rows > int.MaxValue || columns > int.MaxValue
                    ? $"pad: padding (left {pad.Left}, right {pad.Right}, top {pad.Top}, bottom {pad.Bottom}) of input {Shapes.Format(shape)} would make {padded}, and a tensor's dimension holds at most {int.MaxValue}"
                    : $"pad: padding (left {pad.Left}, right {pad.Right}, top {pad.Top}, bottom {pad.Bottom}) of input {Shapes.Format(shape)} would make {padded} ({elements:G4} elements), more than one .NET array holds ({Array.MaxLength})",
                nameof(pad));
        }
    }

    /// <summary>For each padded position along one axis, the source position it copies, or −1 for the constant value.</summary>
    public static int[] SourceIndices(int size, int before, int after, PaddingMode mode, int[] shape, int dim)
    {
        CheckAxis(size, before, after, mode, shape, dim);
        var map = new int[before + size + after];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = Borders.SourceIndex(mode, (long)i - before, size);
        }

        return map;
    }

    /// <summary>PyTorch's rules for padding one axis in a mode, each broken one an error in PyTorch's words.</summary>
    private static void CheckAxis(int size, int before, int after, PaddingMode mode, int[] shape, int dim)
    {
        if ((before < 0 || after < 0) && mode != PaddingMode.Zeros)
        {
            throw new ArgumentException($"negative padding ({before}, {after}) at dimension {dim} is only supported by the constant mode, not {mode}");
        }

        if ((long)before + size + after < 0)
        {
            throw new ArgumentException(
                $"The input size {size}, plus negative padding {before} and {after} resulted in a negative output size at dimension {dim} of input {Shapes.Format(shape)}");
        }

        var invalid = mode switch
        {
            PaddingMode.Reflect when before >= size || after >= size =>
                $"Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ({before}, {after}) at dimension {dim} of input {Shapes.Format(shape)}",
            PaddingMode.Circular when before > size || after > size =>
                $"Padding value causes wrapping around more than once: padding ({before}, {after}) at dimension {dim} of input {Shapes.Format(shape)}",
            PaddingMode.Symmetric when before > size || after > size =>
                $"Symmetric padding ({before}, {after}) at dimension {dim} of input {Shapes.Format(shape)} must not exceed the input size {size}",
            PaddingMode.Replicate when size == 0 && (before > 0 || after > 0) =>
                $"Replicate padding of an empty dimension {dim} of input {Shapes.Format(shape)} has nothing to replicate",
            _ => null,
        };
        if (invalid is not null)
        {
            throw new ArgumentException(invalid);
        }
    }

    /// <summary>Padded[plane, i, j] = source[plane, rows[i], cols[j]], or <paramref name="value"/> where either is −1.</summary>
    /// <remarks>
    /// A padded row is a few runs of consecutive source columns (the image's own row between its
    /// borders) and of the constant: each run is one block copy or fill, not an element at a time.
    /// </remarks>
    public static void Gather<T>(ReadOnlySpan<T> source, int h, int w, int[] rows, int[] cols, T value, Span<T> destination)
        where T : INumber<T>
    {
        var runs = ColumnRuns(cols);
        var width = cols.Length;
        var o = 0;
        var planes = rows.Length * width == 0 ? 0 : destination.Length / (rows.Length * width); // not from the source: a plane of no pixels still has a border
        for (var p = 0; p < planes; p++)
        {
            var plane = source.Slice(p * h * w, h * w);
            foreach (var r in rows)
            {
                var padded = destination.Slice(o, width);
                o += width;
                if (r < 0)
                {
                    padded.Fill(value);
                    continue;
                }

                var row = plane.Slice(r * w, w);
                foreach (var (at, from, length) in runs)
                {
                    if (from < 0)
                    {
                        padded.Slice(at, length).Fill(value);
                    }
                    else
                    {
                        row.Slice(from, length).CopyTo(padded.Slice(at, length));
                    }
                }
            }
        }
    }

    /// <summary>The column map as runs: from padded column At, Length columns copy source columns From, From + 1, … (or the constant, From = −1).</summary>
    private static List<(int At, int From, int Length)> ColumnRuns(int[] cols)
    {
        var runs = new List<(int At, int From, int Length)>();
        for (var j = 0; j < cols.Length;)
        {
            var k = j + 1;
            while (k < cols.Length && (cols[j] < 0 ? cols[k] < 0 : cols[k] == cols[j] + (k - j)))
            {
                k++;
            }

            runs.Add((j, cols[j], k - j));
            j = k;
        }

        return runs;
    }

    /// <summary>The adjoint of <see cref="Gather{T}"/>: every padded position adds its gradient to the source it copied.</summary>
    public static void Scatter<T>(ReadOnlySpan<T> gradOutput, int h, int w, int[] rows, int[] cols, Span<T> gradInput)
        where T : INumber<T>
    {
        gradInput.Clear();
        var o = 0;
        for (var p = 0; p < Planes(gradInput.Length, h, w); p++)
        {
            var plane = gradInput.Slice(p * h * w, h * w);
            foreach (var r in rows)
            {
                foreach (var c in cols)
                {
                    if (r >= 0 && c >= 0)
                    {
                        plane[(r * w) + c] += gradOutput[o];
                    }

                    o++;
                }
            }
        }
    }

    private static int Planes(int count, int h, int w) => h * w == 0 ? 0 : count / (h * w);
}

/// <summary>Scatters the gradient of a padded tensor back through the index maps (border copies add up).</summary>
internal sealed class PadBackward(PaddingMode mode, int[] inputShape, int[] rows, int[] cols) : Node
{
    /// <summary>PyTorch saves the input for the border modes (not for the constant one), so a second pass through them is refused there too.</summary>
    internal override bool SavesTensors => mode != PaddingMode.Zeros;

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
        var grad = Tensor.Uninitialized(inputShape);
        Pad.Scatter(gradOutput.ContiguousSpan(), inputShape[^2], inputShape[^1], rows, cols, grad.Storage.Data);
        return [grad];
    }
}
