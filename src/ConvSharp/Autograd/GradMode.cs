namespace ConvSharp.Autograd;

/// <summary>Whether operations on this thread record a graph (PyTorch's grad mode is per thread too).</summary>
internal static class GradMode
{
    [ThreadStatic]
    private static bool _disabledOnThisThread;

    public static bool IsEnabled => !_disabledOnThisThread;

    /// <summary>Sets the mode and returns the previous one, for scopes to restore.</summary>
    public static bool Set(bool enabled)
    {
        var previous = !_disabledOnThisThread;
        _disabledOnThisThread = !enabled;
        return previous;
    }
}

/// <summary>
/// A scope in which no graph is recorded: <c>using (Tensor.NoGrad()) { ... }</c> is
/// <c>with torch.no_grad():</c>. Disposing restores the mode that was in force before.
/// </summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;

    internal GradModeScope(bool enabled) => _previous = GradMode.Set(enabled);

    /// <summary>Restores the grad mode in force when the scope began.</summary>
    public void Dispose() => GradMode.Set(_previous);
}
