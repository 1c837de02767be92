using System.Text;
using ConvSharp.Interop;

namespace ConvSharp.Nn;

/// <summary>What <see cref="Module.LoadStateDict"/> found: the module's keys the dictionary lacked, and its keys the module lacks.</summary>
/// <param name="MissingKeys">keys of the module's state dict that the dictionary did not have (left as they were)</param>
/// <param name="UnexpectedKeys">keys of the dictionary that the module does not have (ignored)</param>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

/// <summary>State dicts, as PyTorch's <c>state_dict()</c> and <c>load_state_dict()</c>, and safetensors files of them.</summary>
public abstract partial class Module
{
    /// <summary>
    /// Every parameter and buffer by dotted name, in PyTorch's order: for each module, depth
    /// first, its own parameters, then its own buffers, then its children's entries
    /// (<c>0.weight, 0.bias, 1.weight, 1.bias, 1.running_mean, 1.running_var,
    /// 1.num_batches_tracked, 3.weight, …</c>). A tensor reachable by two names appears under
    /// both, as in PyTorch.
    /// </summary>
    /// <remarks>
    /// The values are detached views that share storage with the module's tensors, as in
    /// PyTorch: they follow later training. Clone them for a snapshot.
    /// </remarks>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in StateEntries(string.Empty))
        {
            result[name] = tensor.Detach();
        }

        return result;
    }

    /// <summary>
    /// Copies the tensors of <paramref name="stateDict"/> into this module's parameters and
    /// buffers in place, by name (PyTorch's <c>load_state_dict</c>). Everything is checked before
    /// anything is copied: when the load fails, the module is unchanged.
    /// </summary>
    /// <param name="stateDict">name → tensor, as <see cref="StateDict"/> gives or <see cref="Safetensors.Load"/> reads</param>
    /// <param name="strict">whether a missing or an unexpected key is an error (otherwise they are only reported)</param>
    /// <returns>the missing and the unexpected keys (both empty after a strict load)</returns>
    /// <exception cref="ArgumentException">
    /// a tensor's shape differs from the module's (in either mode, as in PyTorch), or, when
    /// <paramref name="strict"/>, a key is missing or unexpected; the message lists every problem
    /// </exception>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = StateEntries(string.Empty).ToList();
        var ownNames = new HashSet<string>(own.Select(e => e.Name), StringComparer.Ordinal);
        var missing = own.Select(e => e.Name).Where(name => !stateDict.ContainsKey(name)).Distinct().ToList();
        var unexpected = stateDict.Keys.Where(name => !ownNames.Contains(name)).ToList();
        var mismatches = new List<string>();
        foreach (var (name, tensor) in own)
        {
            if (stateDict.TryGetValue(name, out var source))
            {
                if (source is null)
                {
                    mismatches.Add($"the value for {name} is null");
                }
                else if (!Shapes.Equal(source.Dims, tensor.Dims))
                {
                    mismatches.Add(
                        $"size mismatch for {name}: copying a param with shape {Shapes.Format(source.Dims)} from checkpoint, " +
                        $"the shape in current model is {Shapes.Format(tensor.Dims)}.");
                }
            }
        }

        if (mismatches.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var message = new StringBuilder($"Error(s) in loading state_dict for {GetType().Name}:");
            if (strict && missing.Count > 0)
            {
                message.Append("\n\tMissing key(s) in state_dict: ").AppendJoin(", ", missing.Select(k => $"\"{k}\"")).Append('.');
            }

            if (strict && unexpected.Count > 0)
            {
                message.Append("\n\tUnexpected key(s) in state_dict: ").AppendJoin(", ", unexpected.Select(k => $"\"{k}\"")).Append('.');
            }

            foreach (var mismatch in mismatches)
            {
                message.Append("\n\t").Append(mismatch);
            }

            throw new ArgumentException(message.ToString());
        }

        using (Tensor.NoGrad())
        {
            foreach (var (name, tensor) in own)
            {
                if (stateDict.TryGetValue(name, out var source))
                {
                    tensor.CopyFrom(source);
                }
            }
        }

        return new LoadStateDictResult(missing, unexpected);
    }

    /// <summary>
    /// Writes <see cref="StateDict"/> to a safetensors file that PyTorch loads with
    /// <c>safetensors.torch.load_file</c> and a strict <c>load_state_dict</c>; see <see cref="Safetensors.Save"/>.
    /// </summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) => Safetensors.Save(path, StateDict(), metadata);

    /// <summary>Reads a safetensors file (<see cref="Safetensors.Load"/>) and loads it with <see cref="LoadStateDict"/>.</summary>
    public LoadStateDictResult Load(string path, bool strict = true) => LoadStateDict(Safetensors.Load(path).Tensors, strict);

    private IEnumerable<(string Name, Tensor Tensor)> StateEntries(string prefix)
    {
        foreach (var (name, parameter) in _parameters)
        {
            yield return (prefix + name, parameter);
        }

        foreach (var (name, buffer) in _buffers)
        {
            yield return (prefix + name, buffer);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var entry in child.StateEntries(prefix + name + "."))
            {
                yield return entry;
            }
        }
    }
}
