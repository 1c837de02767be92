using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>
/// y = x·Wᵀ + b on the blocked GEMM: the bias is written into each row of the output and the
/// product accumulated onto it, and the backward pass multiplies through strides (no transposed copies).
/// </summary>
internal static class LinearOps
{
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias)
    {
        if (weight.Rank != 2)
        {
            throw new ArgumentException(
                $"linear: the weight must be 2-D (out_features, in_features), but has shape {Shapes.Format(weight.Dims)}", nameof(weight));
        }

        var (outFeatures, inFeatures) = (weight.Dims[0], weight.Dims[1]);
        if (input.Rank == 0 || input.Dims[^1] != inFeatures)
        {
            throw new ArgumentException(
                $"linear: mat1 and mat2 shapes cannot be multiplied: the input of shape {Shapes.Format(input.Dims)} must end in in_features = {inFeatures} " +
                $"(weight of shape {Shapes.Format(weight.Dims)})",
                nameof(input));
        }

        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != outFeatures))
        {
            throw new ArgumentException(
                $"linear: the bias must have shape [{outFeatures}] (out_features), but has shape {Shapes.Format(bias.Dims)}", nameof(bias));
        }

        return input.Rank switch
        {
            1 => Linear2d(input.Unsqueeze(0), weight, bias).Squeeze(0),
            2 => Linear2d(input, weight, bias),
            _ => Linear2d(input.Reshape(-1, inFeatures), weight, bias).Reshape([.. input.Dims[..^1], outFeatures]),
        };
    }

    private static Tensor Linear2d(Tensor x, Tensor w, Tensor? b)
    {
        var (n, inFeatures, outFeatures) = (x.Dims[0], x.Dims[1], w.Dims[0]);
        var result = Tensor.Uninitialized([n, outFeatures]);
        var output = result.Storage.Data;
        if (b is not null)
        {
            var bias = b.ContiguousSpan();
            for (var i = 0; i < n; i++)
            {
                bias.CopyTo(output.AsSpan(i * outFeatures, outFeatures));
            }
        }

        // (n × in) · (in × out): B(p, j) = W(j, p).
        MatMulOps.Gemm(
            n, inFeatures, outFeatures,
            x, x.Offset, x.Strides[0], x.Strides[1],
            w, w.Offset, w.Strides[1], w.Strides[0],
            output, 0, accumulate: b is not null);
        return Tensor.Record(result, () => new LinearBackward(x, w, b is not null), x, w, b);
    }
}

/// <summary>
/// Gradient of x·Wᵀ + b: g·W for x, gᵀ·x for W, the column sums of g for b. PyTorch records
/// this as AddmmBackward0 (MmBackward0 without a bias).
/// </summary>
internal sealed class LinearBackward(Tensor x, Tensor w, bool hasBias) : Node
{
    private readonly SavedTensor _x = new(x);
    private readonly SavedTensor _w = new(w);

    public override string Name => hasBias ? "AddmmBackward0" : "MmBackward0";

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor g)
    {
        // Backward runs without recording, and Mm reads gᵀ through its strides: no copies, no graph.
        var gradInput = NeedsInputGrad(0) ? MatMulOps.Mm(g, _w.Get(this)) : null;
        var gradWeight = NeedsInputGrad(1) ? MatMulOps.Mm(g.T, _x.Get(this)) : null;
        var gradBias = hasBias && NeedsInputGrad(2) ? g.Sum(0) : null;
        return [gradInput, gradWeight, gradBias];
    }
}
