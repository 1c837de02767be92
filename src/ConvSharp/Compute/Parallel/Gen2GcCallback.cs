namespace ConvSharp.Compute.Parallel;

/// <summary>
/// Calls back after garbage collections, gen 2 ones once it has been promoted there: an
/// unreachable object whose finalizer runs the callback and registers itself again (the
/// runtime's own <c>Gen2GcCallback</c>, which <c>ArrayPool.Shared</c> trims from, works so).
/// </summary>
internal sealed class Gen2GcCallback
{
    private readonly Func<bool> _callback;

    private Gen2GcCallback(Func<bool> callback) => _callback = callback;

    /// <summary>Runs <paramref name="callback"/> after collections for as long as it returns true.</summary>
    public static void Register(Func<bool> callback) => _ = new Gen2GcCallback(callback);

    ~Gen2GcCallback()
    {
        if (_callback())
        {
            GC.ReRegisterForFinalize(this);
        }
    }
}
