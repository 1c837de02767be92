using System.Globalization;

namespace ConvSharp.Nn;

/// <summary>
/// Batch normalisation of (N, C, H, W) per channel, as <c>torch.nn.BatchNorm2d</c>: parameters
/// <c>weight</c> (ones) and <c>bias</c> (zeros) when <see cref="Affine"/>, buffers
/// <c>running_mean</c> (zeros), <c>running_var</c> (ones) and <c>num_batches_tracked</c> when
/// <see cref="TrackRunningStats"/>. In training mode the batch's statistics normalise and the
/// running ones are updated; in evaluation mode the running ones normalise.
/// </summary>
/// <remarks>
/// ConvSharp holds float32 only, so <c>num_batches_tracked</c>, an int64 scalar in PyTorch, is
/// a float32 tensor of shape [] holding the count (exact up to 2²⁴ batches). Safetensors files
/// store it as I64, as PyTorch does, so a strict <c>load_state_dict</c> in PyTorch accepts them.
/// </remarks>
public sealed class BatchNorm2d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">C, the number of channels</param>
    /// <param name="eps">added to the variance for stability</param>
    /// <param name="momentum">the new batch's weight in the running statistics' update; null for a cumulative average</param>
    /// <param name="affine">learn a per-channel scale and shift</param>
    /// <param name="trackRunningStats">keep running statistics for evaluation mode; without them the batch's statistics are always used</param>
    public BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        if (!(eps > 0) || double.IsInfinity(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a positive finite number");
        }

        if (momentum is { } m && !(m >= 0 && m <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be between 0 and 1, or null for a cumulative average");
        }

        (NumFeatures, Eps, Momentum, Affine, TrackRunningStats) = (numFeatures, eps, momentum, affine, trackRunningStats);
        if (affine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones(numFeatures)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(numFeatures)));
        }

        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0f));
        }
    }

    /// <summary>C, the number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance for stability.</summary>
    public double Eps { get; }

    /// <summary>The new batch's weight in the running statistics' update; null for a cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>Whether the layer has a learnable scale (<see cref="Weight"/>) and shift (<see cref="Bias"/>).</summary>
    public bool Affine { get; }

    /// <summary>Whether the layer keeps running statistics.</summary>
    public bool TrackRunningStats { get; }

    /// <summary>(C), initially ones; null without <see cref="Affine"/>.</summary>
    public Parameter? Weight { get; }

    /// <summary>(C), initially zeros; null without <see cref="Affine"/>.</summary>
    public Parameter? Bias { get; }

    /// <summary>(C), initially zeros; null without <see cref="TrackRunningStats"/>.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>(C), initially ones; null without <see cref="TrackRunningStats"/>.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>
    /// The number of training batches seen, a float32 scalar (PyTorch's is int64); null without
    /// <see cref="TrackRunningStats"/>.
    /// </summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Sets the running statistics back to zeros and ones and the batch count to 0.</summary>
    public void ResetRunningStats()
    {
        using var noGrad = Tensor.NoGrad();
        RunningMean?.Zero();
        RunningVar?.Fill(1f);
        NumBatchesTracked?.Zero();
    }

    /// <summary>Sets the running statistics back and weight and bias to ones and zeros.</summary>
    public void ResetParameters()
    {
        ResetRunningStats();
        using var noGrad = Tensor.NoGrad();
        Weight?.Fill(1f);
        Bias?.Zero();
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
        {
            throw new ArgumentException($"expected 4D input (got {input.Rank}D input)", nameof(input));
        }

        if (input.Size(1) != NumFeatures)
        {
            throw new ArgumentException(
                $"BatchNorm2d({NumFeatures}) got an input of shape {Shapes.Format(input.Dims)}: its dimension 1 must be {NumFeatures}", nameof(input));
        }

        if (Training && input.NumElements / NumFeatures == 1)
        {
            // Checked here too, before the batch is counted: a refused batch leaves the layer as it was.
            throw new ArgumentException(
                $"Expected more than 1 value per channel when training, got input size {Shapes.Format(input.Dims)}", nameof(input));
        }

        var factor = Momentum ?? 0.0;
        if (Training && TrackRunningStats)
        {
            using (Tensor.NoGrad())
            {
                NumBatchesTracked!.AddInPlace(Tensor.Scalar(1f));
            }

            if (Momentum is null)
            {
                factor = 1.0 / NumBatchesTracked.Item();
            }
        }

        // Batch statistics in training, and always without running statistics (as PyTorch); the running
        // statistics exist only when tracked, and are then updated in training and used in evaluation.
        var useBatch = Training || RunningMean is null;
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatch, factor, Eps);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => string.Create(
        CultureInfo.InvariantCulture,
        $"{NumFeatures}, eps={PythonFloat(Eps)}, momentum={(Momentum is { } m ? PythonFloat(m) : "None")}, affine={(Affine ? "True" : "False")}, track_running_stats={(TrackRunningStats ? "True" : "False")}");

    /// <summary>A double as Python's repr writes it: 1e-05, 0.1, 1.0.</summary>
    private static string PythonFloat(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            // .NET writes 1E-05; Python writes 1e-05 (exponents of at least two digits).
            var mantissaEnd = text.IndexOf('E', StringComparison.Ordinal);
            var exponent = int.Parse(text.AsSpan(mantissaEnd + 1), CultureInfo.InvariantCulture);
            return $"{text[..mantissaEnd]}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }

        // Python switches to exponents below 1e-4 and from 1e16; .NET's "R" gives 0.0001 and 1E+16 alike.
        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }
}
