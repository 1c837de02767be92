using ConvSharp.Nn;

namespace ConvSharp.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, weight decay and Nesterov
/// momentum, following <c>torch.optim.SGD</c>'s update rule:
/// d = g + λ·p; b = μ·b + (1 − τ)·d (b = d on the first step); d = nesterov ? d + μ·b : b; p −= lr·d.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Dictionary<Parameter, Tensor> _momentumBuffers = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimiser; every hyper-parameter is checked.</summary>
    public Sgd(
        IEnumerable<Parameter> parameters, float lr, float momentum = 0f, float dampening = 0f,
        float weightDecay = 0f, bool nesterov = false)
        : base(parameters, lr)
    {
        CheckNonNegative(momentum, "momentum value");
        CheckNonNegative(weightDecay, "weight_decay value");
        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening", nameof(nesterov));
        }

        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
    }

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Dampening τ of the momentum.</summary>
    public float Dampening { get; }

    /// <summary>L2 penalty λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        using var noGrad = Tensor.NoGrad();
        foreach (var p in Parameters)
        {
            if (p.Grad is null)
            {
                continue;
            }

            var d = WeightDecay != 0f ? p.Grad + (p * WeightDecay) : p.Grad;
            if (Momentum != 0f)
            {
                if (_momentumBuffers.TryGetValue(p, out var buffer))
                {
                    buffer.MulInPlace(Momentum).AddInPlace(d * (1f - Dampening));
                }
                else
                {
                    buffer = _momentumBuffers[p] = d.Clone();
                }

                d = Nesterov ? d + (buffer * Momentum) : buffer;
            }

            p.SubInPlace(d * Lr);
        }
    }
}
