using ConvSharp.Randomness;

namespace ConvSharp;

/// <summary>
/// The global random generator behind <see cref="Tensor.Rand"/>, <see cref="Tensor.Randn"/> and
/// parameter initialisation: <c>Rng.ManualSeed(42)</c> is <c>torch.manual_seed(42)</c>,
/// and draws the same uniform values PyTorch draws after that seed.
/// </summary>
public static class Rng
{
    /// <summary>PyTorch's default seed, used until <see cref="ManualSeed"/> is called.</summary>
    public const ulong DefaultSeed = 67280421310721;

    internal static Generator Default { get; } = new(DefaultSeed);

    /// <summary>The seed the global generator was last seeded with.</summary>
    public static ulong InitialSeed => Default.InitialSeed;

    /// <summary>Reseeds the global generator, making every later draw reproducible.</summary>
    public static void ManualSeed(ulong seed) => Default.ManualSeed(seed);
}
