using ConvSharp.Autograd;

namespace ConvSharp;

/// <summary>Autograd state and entry points: requires-grad, .Grad, Backward, Detach, NoGrad.</summary>
public partial class Tensor
{
    private bool _requiresGrad;
    private AccumulateGrad? _accumulator;

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (tensors you created); a tensor
    /// produced by an operation on such a leaf requires grad by itself.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            if (GradFn is not null && !value)
            {
                throw new InvalidOperationException(
                    "you can only change requires_grad flags of leaf variables. Use Detach() to get a tensor that does not require grad.");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward"/>; <c>null</c> before.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The operation that produced this tensor, or <c>null</c> for a leaf.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>Whether this tensor was created by the user rather than by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Starts a scope in which no graph is recorded: <c>with torch.no_grad():</c>.</summary>
    public static GradModeScope NoGrad() => new(enabled: false);

    /// <summary>Starts a scope in which graphs are recorded again (inside a <see cref="NoGrad"/> scope).</summary>
    public static GradModeScope EnableGrad() => new(enabled: true);

    /// <summary>Whether operations on this thread currently record a graph.</summary>
    public static bool IsGradEnabled => GradMode.IsEnabled;

    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires grad and adds
    /// it into the leaf's <see cref="Grad"/>. A non-scalar needs <paramref name="gradient"/>, the
    /// gradient of some scalar with respect to this tensor, of this tensor's shape.
    /// </summary>
    /// <remarks>
    /// As in PyTorch, the pass frees what the graph saved for it: a second <c>Backward</c> through
    /// an operation that saved tensors (a product, a convolution, …) throws, unless the first was
    /// called with <paramref name="retainGraph"/> true. (Operations that saved nothing, such as
    /// sums and additions, can be run through again, as in PyTorch.)
    /// </remarks>
    /// <param name="gradient">∂(some scalar)/∂(this tensor), of this tensor's shape; null for a scalar (1)</param>
    /// <param name="retainGraph">keep the graph's saved tensors for another backward pass (<c>retain_graph=True</c>)</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false)
    {
        if (!RequiresGrad)
        {
            throw new InvalidOperationException(
                "element 0 of tensors does not require grad and does not have a grad_fn: " +
                "set RequiresGrad = true on a leaf before computing with it, outside Tensor.NoGrad().");
        }

        if (gradient is null)
        {
            if (NumElements != 1)
            {
                throw new InvalidOperationException(
                    $"grad can be implicitly created only for scalar outputs, but this tensor has shape {Shapes.Format(Dims)}. " +
                    "Reduce it first (for example .Sum()) or pass a gradient of the same shape to Backward(gradient).");
            }

            gradient = OnesLike(this);
        }
        else if (!Shapes.Equal(gradient.Dims, Dims))
        {
            throw new ArgumentException(
                $"Mismatch in shape: grad_output[0] has a shape of {Shapes.Format(gradient.Dims)} and output[0] has a shape of {Shapes.Format(Dims)}.",
                nameof(gradient));
        }

        BackwardEngine.Run(GradientEdge()!, gradient.Detach(), retainGraph);
    }

    /// <summary>A view of the same storage that is cut from the graph: <c>tensor.detach()</c>.</summary>
    public Tensor Detach() => View((int[])Dims.Clone(), (int[])Strides.Clone(), Offset);

    /// <summary>
    /// The same storage without autograd history, for updating parameters in place:
    /// <c>w.Data[..] -= lr * w.Grad</c> is the book's <c>w.data[:] -= lr * w.grad</c>.
    /// </summary>
    public Tensor Data => Detach();

    /// <summary>The node that receives this tensor's gradient: its grad_fn, or the leaf's accumulator.</summary>
    internal Node? GradientEdge()
    {
        if (GradFn is not null)
        {
            return GradFn;
        }

        return _requiresGrad ? _accumulator ??= new AccumulateGrad(this) : null;
    }

    /// <summary>
    /// Records that <paramref name="result"/> came from <paramref name="inputs"/> through the
    /// node made by <paramref name="makeNode"/>, when grad mode is on and an input requires grad.
    /// </summary>
    internal static Tensor Record(Tensor result, Func<Node> makeNode, params ReadOnlySpan<Tensor?> inputs)
    {
        if (!GradMode.IsEnabled)
        {
            return result;
        }

        var any = false;
        foreach (var input in inputs)
        {
            any |= input is { RequiresGrad: true };
        }

        if (!any)
        {
            return result;
        }

        var node = makeNode();
        node.Connect(inputs);
        result.GradFn = node;
        return result;
    }

    /// <summary>Gives this tensor a new history after an in-place write that autograd must see.</summary>
    internal void RebaseHistory(Node node, params ReadOnlySpan<Tensor?> inputs)
    {
        node.Connect(inputs);
        GradFn = node;
        _requiresGrad = false;
    }
}
