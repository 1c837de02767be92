using System.Text;

namespace ConvSharp.Nn;

/// <summary>
/// A layer or model with parameters and sub-modules, as <c>torch.nn.Module</c>. Subclasses
/// register what they own in their constructor and implement <see cref="Forward"/>.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Parameter Parameter)> _parameters = [];
    private readonly List<(string Name, Module Module)> _children = [];

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
