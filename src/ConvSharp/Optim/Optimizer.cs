using ConvSharp.Nn;

namespace ConvSharp.Optim;

/// <summary>Base of the optimisers: holds the parameters, clears their gradients, takes steps.</summary>
public abstract class Optimizer
{
    /// <summary>Keeps the parameters to update (an empty list is an error, as in PyTorch) and the learning rate.</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, float lr)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        if (Parameters.Count == 0)
        {
            throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
        }

        CheckNonNegative(lr, "learning rate");
        Lr = lr;
    }

    /// <summary>The parameters this optimiser updates.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Learning rate; a schedule may change it between steps.</summary>
    public float Lr { get; set; }

    /// <summary>Clears every parameter's gradient (sets it to null).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters)
        {
            p.Grad = null;
        }
    }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public abstract void Step();

    /// <summary>Throws unless <paramref name="value"/> is a finite number ≥ 0 (NaN included).</summary>
    protected static void CheckNonNegative(float value, string what)
    {
        if (!(value >= 0f) || !float.IsFinite(value))
        {
            throw new ArgumentException($"Invalid {what}: {value}", what);
        }
    }
}
