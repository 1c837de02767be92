using ConvSharp.Nn;

namespace ConvSharp.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015, arXiv:1412.6980), following <c>torch.optim.Adam</c>:
/// g ← grad + λ·p; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
/// p ← p − lr·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Dictionary<Parameter, (Tensor M, Tensor V)> _moments = new(ReferenceEqualityComparer.Instance);
    private int _step;

    /// <summary>Creates the optimiser; every hyper-parameter is checked.</summary>
    public Adam(IEnumerable<Parameter> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : base(parameters, lr)
    {
        CheckNonNegative(eps, "epsilon value");
        CheckNonNegative(weightDecay, "weight_decay value");
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f))
        {
            throw new ArgumentException($"Invalid beta parameters: ({beta1}, {beta2}); each must be in [0, 1)");
        }

        (Beta1, Beta2, Eps, WeightDecay) = (beta1, beta2, eps, weightDecay);
    }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public float Eps { get; }

    /// <summary>L2 penalty λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        using var noGrad = Tensor.NoGrad();
        _step++;
        var correction1 = 1 - Math.Pow(Beta1, _step);
        var correction2 = 1 - Math.Pow(Beta2, _step);
        foreach (var p in Parameters)
        {
            if (p.Grad is null)
            {
                continue;
            }

            var g = WeightDecay != 0f ? p.Grad + (p * WeightDecay) : p.Grad;
            if (!_moments.TryGetValue(p, out var moments))
            {
                moments = _moments[p] = (Tensor.ZerosLike(p), Tensor.ZerosLike(p));
            }

            moments.M.MulInPlace(Beta1).AddInPlace(g * (1 - Beta1));
            moments.V.MulInPlace(Beta2).AddInPlace(g.Square() * (1 - Beta2));
            var denominator = (moments.V / (float)correction2).Sqrt() + Eps;
            p.SubInPlace(moments.M * (float)(Lr / correction1) / denominator);
        }
    }
}
