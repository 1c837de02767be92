namespace ConvSharp.Autograd;

/// <summary>
/// One recorded operation in the autograd graph: the <c>grad_fn</c> of the tensor it produced.
/// Given the gradient of that tensor, <see cref="Apply"/> returns the gradient of each input.
/// </summary>
/// <remarks>
/// Edges point from a node to the nodes of its inputs (<see cref="NextFunctions"/>), as in
/// PyTorch, not to the input tensors themselves: an in-place write can then give a tensor a new
/// history without changing what earlier operations recorded. Each subclass is named as its
/// PyTorch counterpart (<c>AddBackward0</c>, <c>ConvolutionBackward0</c>, …), which is what
/// printing shows as <c>grad_fn=&lt;…&gt;</c>.
/// </remarks>
public abstract class Node
{
    private Node?[] _next = [];

    /// <summary>The operation's name as PyTorch prints it, e.g. <c>MulBackward0</c>.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The nodes of the inputs, in order; <c>null</c> where an input needs no gradient.</summary>
    public IReadOnlyList<Node?> NextFunctions => _next;

    /// <summary>Gradient of each input given the gradient of the output; <c>null</c> for inputs that need none.</summary>
    internal abstract Tensor?[] Apply(Tensor gradOutput);

    internal void Connect(ReadOnlySpan<Tensor?> inputs)
    {
        _next = new Node?[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            _next[i] = inputs[i]?.GradientEdge();
        }
    }

    /// <summary>
    /// Set once a backward pass without <c>retainGraph</c> has run this node: its saved tensors
    /// count as freed, as PyTorch frees them, and a second pass through it is an error rather
    /// than gradients silently added twice.
    /// </summary>
    internal bool SavedTensorsReleased { get; private set; }

    /// <summary>Whether the node keeps tensors for its backward pass (PyTorch's saved variables): then a pass after they were released is an error, as in PyTorch, even one that would not read them.</summary>
    internal virtual bool SavesTensors => false;

    internal void ReleaseSavedTensors() => SavedTensorsReleased = true;

    /// <summary>PyTorch's error for a second pass through tensors a first pass freed.</summary>
    internal void ThrowIfReleased()
    {
        if (SavedTensorsReleased && SavesTensors)
        {
            throw new InvalidOperationException(
                "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
                "Saved intermediate values of the graph are freed when you call Backward(). Specify retainGraph: true if you need to backward " +
                $"through the graph a second time (here through {Name}).");
        }
    }

    /// <summary>Whether input <paramref name="index"/> needs a gradient (PyTorch's <c>needs_input_grad</c>).</summary>
    protected bool NeedsInputGrad(int index) => _next[index] is not null;

    /// <inheritdoc/>
    public override string ToString() => $"<{Name}>";
}

/// <summary>
/// A tensor that a node keeps for its backward pass, with the storage version it had when saved.
/// Reading it after an in-place write to that storage is an error, not a wrong gradient.
/// </summary>
internal readonly struct SavedTensor(Tensor tensor)
{
    private readonly int _version = tensor.Storage.Version;

    public Tensor Get(Node owner)
    {
        owner.ThrowIfReleased();

        var current = tensor.Storage.Version;
        if (current != _version)
        {
            throw new InvalidOperationException(
                "one of the variables needed for gradient computation has been modified by an inplace operation: " +
                $"[FloatTensor {Shapes.Format(tensor.Dims)}], saved by {owner.Name}, is at version {current}; " +
                $"expected version {_version} instead. Compute the gradient before changing the tensor in place, " +
                "or change a Clone() of it.");
        }

        return tensor;
    }
}

/// <summary>The sink at a leaf tensor: adds the incoming gradient into <see cref="Tensor.Grad"/>.</summary>
internal sealed class AccumulateGrad(Tensor variable) : Node
{
    public Tensor Variable { get; } = variable;

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        if (Variable.Grad is null)
        {
            // A copy: the incoming gradient may be shared with another leaf or be a broadcast view.
            Variable.Grad = gradOutput.Clone();
        }
        else
        {
            Variable.Grad.AddInPlace(gradOutput);
        }

        return [];
    }
}
