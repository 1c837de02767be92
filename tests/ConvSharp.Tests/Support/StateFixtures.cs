using ConvSharp.Interop;
using ConvSharp.Nn;

namespace ConvSharp.Tests.Support;

/// <summary>
/// The PyTorch files of tools/fixtures/make_state_fixtures.py (Fixtures/state): a trained model's
/// state dict, its inputs, outputs and gradients, and one small tensor per dtype.
/// </summary>
internal static class StateFixtures
{
    private static readonly Lazy<OrderedDictionary<string, Tensor>> Io = new(() => Safetensors.Load(File("io.safetensors")).Tensors);

    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "state", name);

    /// <summary>A fresh copy (a leaf of its own storage) of the tensor <paramref name="name"/> of io.safetensors.</summary>
    public static Tensor Get(string name, bool requiresGrad = false)
    {
        var tensor = Io.Value[name].Clone();
        tensor.RequiresGrad = requiresGrad;
        return tensor;
    }

    /// <summary>The fixture's architecture: Sequential(Conv2d(1, 2, 3), BatchNorm2d(2), ReLU(), Conv2d(2, 3, 3)).</summary>
    public static Sequential Model() => new(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU(), new Conv2d(2, 3, 3));
}
