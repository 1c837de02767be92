namespace ConvSharp.Nn;

/// <summary>max(x, 0) as a layer: <c>torch.nn.ReLU</c>.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Relu(input);
}

/// <summary>1 / (1 + e^−x) as a layer: <c>torch.nn.Sigmoid</c>.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Sigmoid(input);
}

/// <summary>The hyperbolic tangent as a layer: <c>torch.nn.Tanh</c>.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Tanh(input);
}

/// <summary>
/// Merges dimensions <see cref="StartDim"/> to <see cref="EndDim"/> into one, as
/// <c>torch.nn.Flatten</c>: by default every dimension but the batch, (N, C, H, W) → (N, C·H·W).
/// </summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    /// <summary>First dimension merged.</summary>
    public int StartDim { get; } = startDim;

    /// <summary>Last dimension merged (negative counts from the end).</summary>
    public int EndDim { get; } = endDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(StartDim, EndDim);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"start_dim={StartDim}, end_dim={EndDim}");
}

/// <summary>
/// Inverted dropout, as <c>torch.nn.Dropout</c>: in training mode each element is zeroed with
/// probability <see cref="P"/> and the rest scaled by 1/(1 − p); in evaluation mode (<see cref="Module.Eval"/>) the identity.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the layer; <paramref name="p"/> must lie in [0, 1].</summary>
    public Dropout(float p = 0.5f)
    {
        Functional.CheckDropoutProbability(p);
        P = p;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={Functional.PythonFloat(P)}, inplace=False";
}
