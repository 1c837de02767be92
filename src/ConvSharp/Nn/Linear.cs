namespace ConvSharp.Nn;

/// <summary>
/// A fully connected layer, y = x·Wᵀ + b, as <c>torch.nn.Linear</c>: weight (out, in) and bias
/// (out), initialised as PyTorch does, U(±1/√in) for both (Kaiming-uniform with a = √5 for the weight).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer and draws its initial parameters from the global generator (weight first, then bias).</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures < 0 || outFeatures < 0)
        {
            throw new ArgumentException(
                $"Linear needs non-negative sizes, but got in_features={inFeatures}, out_features={outFeatures}");
        }

        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outFeatures, inFeatures)));
        Bias = bias ? RegisterParameter("bias", new Parameter(Tensor.Zeros(outFeatures))) : null;
        ResetParameters();
    }

    /// <summary>Size of each input sample.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output sample.</summary>
    public int OutFeatures { get; }

    /// <summary>(out_features, in_features).</summary>
    public Parameter Weight { get; }

    /// <summary>(out_features), or null when created with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>Redraws weight and bias as PyTorch's <c>reset_parameters</c> does; a layer with no weights (in or out 0) draws nothing, as PyTorch.</summary>
    public void ResetParameters()
    {
        if (Weight.NumElements > 0)
        {
            ConvLayerChecks.ResetParameters(Weight, Bias);
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is null ? "False" : "True")}";
}
