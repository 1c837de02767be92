using System.Text;

namespace ConvSharp.Nn;

/// <summary>
/// A layer or model with parameters and sub-modules, as <c>torch.nn.Module</c>. Subclasses
/// register what they own in their constructor and implement <see cref="Forward"/>.
/// </summary>
public abstract partial class Module
{
    private readonly List<(string Name, Parameter Parameter)> _parameters = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private readonly List<(string Name, Tensor Buffer)> _buffers = [];

    /// <summary>Whether the module is in training mode (the default) or evaluation mode: Dropout and BatchNorm2d behave differently.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Every parameter of this module and its sub-modules, each once, in registration order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Parameters with dotted names, as in a PyTorch state dict (<c>0.weight</c>, <c>conv.bias</c>).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (name, parameter) in Walk(string.Empty))
        {
            if (seen.Add(parameter))
            {
                yield return (name, parameter);
            }
        }
    }

    /// <summary>The direct sub-modules with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>This module and every sub-module below it, each once, depth first (PyTorch's <c>modules()</c>).</summary>
    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>
    /// This module (named "") and every sub-module with its dotted name, each once, depth first
    /// (PyTorch's <c>named_modules()</c>).
    /// </summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(string Name, Module Module)>();
        pending.Push((string.Empty, this));
        while (pending.Count > 0)
        {
            var (name, module) = pending.Pop();
            if (!seen.Add(module))
            {
                continue;
            }

            yield return (name, module);
            for (var i = module._children.Count - 1; i >= 0; i--)
            {
                var (childName, child) = module._children[i];
                pending.Push((name.Length == 0 ? childName : name + "." + childName, child));
            }
        }
    }

    /// <summary>
    /// Tensors that are state but not learned (BatchNorm2d's running statistics), with dotted
    /// names, as PyTorch's <c>named_buffers()</c>; each once, in registration order.
    /// </summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in NamedModules())
        {
            foreach (var (name, buffer) in module._buffers)
            {
                if (seen.Add(buffer))
                {
                    yield return (prefix.Length == 0 ? name : prefix + "." + name, buffer);
                }
            }
        }
    }

    /// <summary>Every buffer of this module and its sub-modules.</summary>
    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Buffer);

    /// <summary>Sets training mode on this module and every sub-module (PyTorch's <c>train(mode)</c>); returns this module.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var module in Modules())
        {
            module.Training = mode;
        }

        return this;
    }

    /// <summary>Sets evaluation mode on this module and every sub-module: <c>Train(false)</c>.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradient of every parameter (sets it to null, PyTorch's default).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.Grad = null;
        }
    }

    /// <summary>Prints the module tree as PyTorch does: <c>Conv2d(1, 1, kernel_size=(1, 2), stride=(1, 1), bias=False)</c>.</summary>
    public override string ToString()
    {
        var name = GetType().Name;
        if (_children.Count == 0)
        {
            return $"{name}({ExtraRepr()})";
        }

        var sb = new StringBuilder(name).Append("(\n");
        var extra = ExtraRepr();
        if (extra.Length > 0)
        {
            sb.Append("  ").Append(extra).Append('\n');
        }

        foreach (var (childName, child) in _children)
        {
            var text = child.ToString().Replace("\n", "\n  ", StringComparison.Ordinal);
            sb.Append("  (").Append(childName).Append("): ").Append(text).Append('\n');
        }

        return sb.Append(')').ToString();
    }

    /// <summary>The module's own settings, shown inside its parentheses.</summary>
    protected virtual string ExtraRepr() => string.Empty;

    /// <summary>Registers a parameter under <paramref name="name"/> and returns it.</summary>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(parameter);
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a sub-module under <paramref name="name"/> and returns it.</summary>
    protected TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add((name, module));
        return module;
    }

    /// <summary>
    /// Registers a buffer (state saved in the state dict but not learned) under
    /// <paramref name="name"/> and returns it. Loading a state dict copies into it in place.
    /// </summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(buffer);
        _buffers.Add((name, buffer));
        return buffer;
    }

    private IEnumerable<(string Name, Parameter Parameter)> Walk(string prefix)
    {
        foreach (var (name, parameter) in _parameters)
        {
            yield return (prefix + name, parameter);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var item in child.Walk(prefix + name + "."))
            {
                yield return item;
            }
        }
    }
}
