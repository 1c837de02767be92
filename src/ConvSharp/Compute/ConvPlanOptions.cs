namespace ConvSharp.Compute;

/// <summary>
/// What a caller may ask of the engine: an algorithm to force per direction (for tests and
/// benchmarks) and a thread count, in force on one thread for the length of a <see cref="Use"/>
/// scope; there is no process-wide setting to change. Outside any scope the values come from the
/// environment (<c>CONVSHARP_CONV_ALGO</c>, <c>CONVSHARP_CONV_ALGO_BACKWARD_INPUT</c>,
/// <c>CONVSHARP_CONV_ALGO_BACKWARD_WEIGHT</c>, <c>CONVSHARP_NUM_THREADS</c>), then from the machine.
/// </summary>
public sealed record ConvPlanOptions
{
    /// <summary>The algorithm to use; <see cref="ConvAlgorithm.Auto"/> lets the planner choose. A forced algorithm that cannot run the shape throws.</summary>
    public ConvAlgorithm Algorithm { get; init; } = ConvAlgorithm.Auto;

    /// <summary>The algorithm for input gradients; <see cref="ConvAlgorithm.Auto"/> lets the planner choose.</summary>
    public ConvAlgorithm BackwardInputAlgorithm { get; init; } = ConvAlgorithm.Auto;

    /// <summary>The algorithm for weight gradients; <see cref="ConvAlgorithm.Auto"/> lets the planner choose.</summary>
    public ConvAlgorithm BackwardWeightAlgorithm { get; init; } = ConvAlgorithm.Auto;

    /// <summary>The most threads one call may use; 0 means all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    [ThreadStatic]
    private static ConvPlanOptions? _threadOverride;

    /// <summary>Options from the environment variables, read once.</summary>
    public static ConvPlanOptions FromEnvironment { get; } = ReadEnvironment();

    /// <summary>The options in force on this thread: those of the innermost <see cref="Use"/> scope, else <see cref="FromEnvironment"/>.</summary>
    public static ConvPlanOptions Current => _threadOverride ?? FromEnvironment;

    /// <summary>
    /// Uses <paramref name="options"/> for the convolutions this thread runs until the scope is
    /// disposed: <c>using (ConvPlanOptions.Use(new() { Algorithm = ConvAlgorithm.Winograd4x3 })) { ... }</c>.
    /// </summary>
    public static IDisposable Use(ConvPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var previous = _threadOverride;
        _threadOverride = options;
        return new Restore(previous);
    }

    internal int Threads => MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : CpuCaps.Current.Threads;

    private sealed class Restore(ConvPlanOptions? previous) : IDisposable
    {
        public void Dispose() => _threadOverride = previous;
    }

    private static ConvPlanOptions ReadEnvironment()
    {
        var options = new ConvPlanOptions();
        options = options with
        {
            Algorithm = ReadAlgorithm("CONVSHARP_CONV_ALGO"),
            BackwardInputAlgorithm = ReadAlgorithm("CONVSHARP_CONV_ALGO_BACKWARD_INPUT"),
            BackwardWeightAlgorithm = ReadAlgorithm("CONVSHARP_CONV_ALGO_BACKWARD_WEIGHT"),
        };

        var threads = Environment.GetEnvironmentVariable("CONVSHARP_NUM_THREADS");
        if (!string.IsNullOrEmpty(threads))
        {
            options = options with
            {
                MaxDegreeOfParallelism = int.TryParse(threads, out var t) && t > 0
                    ? t
                    : throw new InvalidOperationException($"CONVSHARP_NUM_THREADS={threads} is not a positive integer"),
            };
        }

        return options;
    }

    private static ConvAlgorithm ReadAlgorithm(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
        {
            return ConvAlgorithm.Auto;
        }

        return Enum.TryParse<ConvAlgorithm>(value, ignoreCase: true, out var a) && Enum.IsDefined(a)
            ? a
            : throw new InvalidOperationException($"{variable}={value} is not one of {string.Join(", ", Enum.GetNames<ConvAlgorithm>())}");
    }
}
