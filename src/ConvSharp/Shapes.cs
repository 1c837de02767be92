using System.Text;

namespace ConvSharp;

/// <summary>Shape arithmetic shared by tensors and ops: sizes, strides, broadcasting, text.</summary>
internal static class Shapes
{
    /// <summary>Number of elements, checked for overflow and negative sizes before any allocation.</summary>
    public static int NumElements(ReadOnlySpan<int> shape)
    {
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException(
                    $"Trying to create tensor with negative dimension {d}: {Format(shape)}", nameof(shape));
            }
        }

        // A zero anywhere makes an empty tensor, however large the other sizes.
        if (shape.Contains(0))
        {
            return 0;
        }

        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
            if (n > Array.MaxLength)
            {
                throw new ArgumentException(
                    $"A tensor of shape {Format(shape)} has more elements than a .NET array can hold ({Array.MaxLength}).",
                    nameof(shape));
            }
        }

        return (int)n;
    }

    /// <summary>Row-major (C order) strides for <paramref name="shape"/>.</summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        var s = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= Math.Max(shape[d], 1);
        }

        return strides;
    }

    /// <summary>Wraps a possibly negative dimension index into [0, rank), as PyTorch does.</summary>
    public static int WrapDim(int dim, int rank, string? what = null)
    {
        var r = Math.Max(rank, 1);
        if (dim < -r || dim >= r)
        {
            throw new ArgumentOutOfRangeException(
                nameof(dim),
                $"Dimension out of range (expected to be in range of [{-r}, {r - 1}], but got {dim}){(what is null ? "" : " in " + what)}");
        }

        return dim < 0 ? dim + r : dim;
    }

    /// <summary>The broadcast shape of two shapes, NumPy/PyTorch rules, or an error naming both.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException(
                    $"The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i} " +
                    $"(shapes {Format(a)} and {Format(b)} do not broadcast).");
            }

            result[i] = da == 1 ? db : da;
        }

        return result;
    }

    /// <summary>Strides that read <paramref name="t"/> as if it had <paramref name="shape"/> (0 on broadcast axes).</summary>
    public static int[] BroadcastStrides(Tensor t, int[] shape)
    {
        var strides = new int[shape.Length];
        var lead = shape.Length - t.Dims.Length;
        for (var i = 0; i < t.Dims.Length; i++)
        {
            strides[lead + i] = t.Dims[i] == 1 && shape[lead + i] != 1 ? 0 : t.Strides[i];
        }

        return strides;
    }

    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Formats a shape as PyTorch prints sizes in messages: <c>[1, 3, 5, 5]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(shape[i]);
        }

        return sb.Append(']').ToString();
    }
}
