using System.Globalization;
using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>Negative log-likelihood over class-index targets, and its gradient (−1 at each target, scaled).</summary>
internal static class LossOps
{
    /// <summary>loss_i = −input[i, target_i], reduced; input (N, C) or (C).</summary>
    public static Tensor NllLoss(Tensor input, int[] target, Reduction reduction, string name)
    {
        var (n, c) = CheckTargets(input, target, name);
        var x = input.ContiguousSpan();
        var losses = new float[n];
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            losses[i] = -x[(i * c) + target[i]];
            total += losses[i];
        }

        var indices = (int[])target.Clone();
        var inputShape = input.Dims;
        var result = reduction switch
        {
            Reduction.Mean => Tensor.Scalar((float)(total / n)),
            Reduction.Sum => Tensor.Scalar((float)total),
            _ => input.Rank == 1 ? Tensor.Scalar(losses[0]) : new Tensor(losses, [n]),
        };
        return Tensor.Record(result, () => new NllLossBackward0(inputShape, indices, reduction), input);
    }

    /// <summary>Checks that there is one class index in [0, C) per row of the input; returns (N, C).</summary>
    public static (int N, int C) CheckTargets(Tensor input, int[] target, string name)
    {
        var (n, c) = CheckInput(input, name);
        if (target.Length != n)
        {
            throw new ArgumentException(
                $"{name}: expected {n} targets (one class index per row of the input of shape {Shapes.Format(input.Dims)}), but got {target.Length}", nameof(target));
        }

        for (var i = 0; i < target.Length; i++)
        {
            CheckClass(target[i], i, c, name);
        }

        return (n, c);
    }

    /// <summary>Class indices from a tensor of whole numbers: (N) for an (N, C) input, a scalar for a (C) input.</summary>
    public static int[] ClassIndices(Tensor input, Tensor target, string name)
    {
        var (n, c) = CheckInput(input, name);
        var expected = input.Rank == 1 ? 0 : 1;
        if (target.Rank != expected || (expected == 1 && target.Dims[0] != n))
        {
            throw new ArgumentException(
                $"{name}: the target must hold one class index per sample, shape {(input.Rank == 1 ? "[] (a scalar)" : $"[{n}]")} for an input of shape {Shapes.Format(input.Dims)}, " +
                $"but has shape {Shapes.Format(target.Dims)} (class probabilities are not supported)",
                nameof(target));
        }

        var values = target.ContiguousSpan();
        var indices = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (!float.IsFinite(v) || v != MathF.Round(v))
            {
                throw new ArgumentException(
                    $"{name}: the target must hold class indices (whole numbers), but target[{i}] is {v.ToString(CultureInfo.InvariantCulture)}", nameof(target));
            }

            CheckClass(v, i, c, name);
            indices[i] = (int)v;
        }

        return indices;
    }

    private static (int N, int C) CheckInput(Tensor input, string name)
    {
        if (input.Rank is not (1 or 2))
        {
            throw new ArgumentException(
                $"{name}: expected an input of shape (N, C) or (C), but got shape {Shapes.Format(input.Dims)}", nameof(input));
        }

        return input.Rank == 1 ? (1, input.Dims[0]) : (input.Dims[0], input.Dims[1]);
    }

    private static void CheckClass(double target, int position, int classes, string name)
    {
        if (target < 0 || target >= classes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(target),
                $"{name}: Target {target.ToString(CultureInfo.InvariantCulture)} is out of bounds: target[{position}] must be a class index in [0, {classes}) for C = {classes} classes.");
        }
    }
}

/// <summary>Gradient of the negative log-likelihood: −g at each (row, target), 0 elsewhere; g/N for the mean.</summary>
internal sealed class NllLossBackward0(int[] inputShape, int[] target, Reduction reduction) : Node
{
    internal override Tensor?[] Apply(Tensor g)
    {
        var result = Tensor.Zeros(inputShape);
        var data = result.Storage.Data;
        var c = inputShape[^1];
        var gradient = g.ContiguousSpan();
        for (var i = 0; i < target.Length; i++)
        {
            data[(i * c) + target[i]] = reduction switch
            {
                Reduction.Mean => -gradient[0] / target.Length,
                Reduction.Sum => -gradient[0],
                _ => -gradient[i],
            };
        }

        return [result];
    }
}
