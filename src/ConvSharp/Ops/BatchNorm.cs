using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConvSharp.Autograd;

namespace ConvSharp.Ops;

/// <summary>
/// Batch normalisation over (N, C, *) per channel C, as PyTorch's <c>native_batch_norm</c>:
/// in training the batch's mean and biased variance normalise, and the running statistics (when
/// given) move towards the mean and the unbiased variance; otherwise the running statistics
/// normalise. Sums are taken per (n, c) plane with <see cref="Vector{T}"/> and added up in double.
/// </summary>
internal static class BatchNorm
{
    /// <summary>The normalised input, scaled and shifted per channel; updates the running statistics in place in training.</summary>
    /// <param name="input">(N, C, *)</param>
    /// <param name="runningMean">(C) or null</param>
    /// <param name="runningVar">(C) or null</param>
    /// <param name="weight">(C) or null (1)</param>
    /// <param name="bias">(C) or null (0)</param>
    /// <param name="training">normalise with the batch's statistics (and update the running ones)</param>
    /// <param name="momentum">the weight of the new batch in the running statistics' update</param>
    /// <param name="eps">added to the variance before the square root</param>
    public static Tensor Forward(
        Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training, double momentum, double eps)
    {
        var (n, c, plane) = Check(input, runningMean, runningVar, weight, bias, training);
        var x = input.ContiguousSpan();
        var count = (long)n * plane;
        var mean = new float[c];
        var invStd = new float[c];
        if (training)
        {
            var variance = new double[c];
            for (var ch = 0; ch < c; ch++)
            {
                var sum = 0.0;
                for (var i = 0; i < n; i++)
                {
                    sum += Sum(x.Slice(((i * c) + ch) * plane, plane));
                }

                var m = count == 0 ? 0f : (float)(sum / count);
                var squares = 0.0;
                for (var i = 0; i < n; i++)
                {
                    squares += SquaredDeviations(x.Slice(((i * c) + ch) * plane, plane), m);
                }

                mean[ch] = m;
                variance[ch] = count == 0 ? 0 : squares / count;
                invStd[ch] = (float)(1.0 / Math.Sqrt(variance[ch] + eps));
            }

            if (runningMean is not null && runningVar is not null && count > 1)
            {
                UpdateRunning(runningMean, runningVar, mean, variance, count, momentum);
            }
        }
        else
        {
            var rm = runningMean!.ContiguousSpan();
            var rv = runningVar!.ContiguousSpan();
            for (var ch = 0; ch < c; ch++)
            {
                mean[ch] = rm[ch];
                invStd[ch] = (float)(1.0 / Math.Sqrt(rv[ch] + eps));
            }
        }

        var w = weight?.ToArray();
        var b = bias?.ToArray();
        var result = Tensor.Uninitialized((int[])input.Dims.Clone());
        var y = result.Storage.Data.AsSpan();
        for (var ch = 0; ch < c; ch++)
        {
            var scale = invStd[ch] * (w is { } ws ? ws[ch] : 1f);
            var shift = (b is { } bs ? bs[ch] : 0f) - (mean[ch] * scale);
            for (var i = 0; i < n; i++)
            {
                var at = ((i * c) + ch) * plane;
                Affine(x.Slice(at, plane), y.Slice(at, plane), scale, shift);
            }
        }

        return Tensor.Record(
            result, () => new NativeBatchNormBackward0(input, weight, bias, mean, invStd, training, n, c, plane), input, weight, bias);
    }

    private static (int N, int C, int Plane) Check(
        Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2)
        {
            throw new ArgumentException($"batch_norm expects an input of shape (N, C, *), but got {Shapes.Format(input.Dims)}", nameof(input));
        }

        var (n, c) = (input.Dims[0], input.Dims[1]);
        var plane = c == 0 || n == 0 ? 0 : input.NumElements / n / c;
        foreach (var (tensor, name) in new[] { (weight, "weight"), (bias, "bias"), (runningMean, "running_mean"), (runningVar, "running_var") })
        {
            if (tensor is not null && tensor.NumElements != c)
            {
                throw new ArgumentException($"{name} should contain {c} elements not {tensor.NumElements}");
            }
        }

        if ((runningMean is null) != (runningVar is null))
        {
            throw new ArgumentException("running_mean and running_var must be given together, or both be null");
        }

        if (!training && runningMean is null)
        {
            throw new ArgumentException("batch_norm in evaluation mode needs running_mean and running_var (or training: true to use the batch's statistics)");
        }

        if (training && (long)n * plane == 1)
        {
            throw new ArgumentException(
                $"Expected more than 1 value per channel when training, got input size {Shapes.Format(input.Dims)}", nameof(input));
        }

        return (n, c, plane);
    }

    /// <summary>running = (1 − momentum)·running + momentum·batch, with the unbiased variance, outside the graph.</summary>
    private static void UpdateRunning(Tensor runningMean, Tensor runningVar, float[] mean, double[] variance, long count, double momentum)
    {
        var c = mean.Length;
        var rm = runningMean.ToArray();
        var rv = runningVar.ToArray();
        var unbias = count / (double)(count - 1);
        for (var ch = 0; ch < c; ch++)
        {
            rm[ch] = (float)(((1 - momentum) * rm[ch]) + (momentum * mean[ch]));
            rv[ch] = (float)(((1 - momentum) * rv[ch]) + (momentum * variance[ch] * unbias));
        }

        runningMean.CopyFromUnchecked(new Tensor(rm, (int[])runningMean.Dims.Clone()));
        runningVar.CopyFromUnchecked(new Tensor(rv, (int[])runningVar.Dims.Clone()));
    }

    /// <summary>Σ values, in float vectors over chunks added up in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Sum(ReadOnlySpan<float> values)
    {
        var total = 0.0;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (var start = 0; start < vectors.Length; start += 256)
            {
                var acc = Vector<float>.Zero;
                var end = Math.Min(vectors.Length, start + 256);
                for (var v = start; v < end; v++)
                {
                    acc += vectors[v];
                }

                total += Vector.Sum(acc);
            }

            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }

    /// <summary>Σ (values − mean)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double SquaredDeviations(ReadOnlySpan<float> values, float mean)
    {
        var total = 0.0;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            var m = new Vector<float>(mean);
            for (var start = 0; start < vectors.Length; start += 256)
            {
                var acc = Vector<float>.Zero;
                var end = Math.Min(vectors.Length, start + 256);
                for (var v = start; v < end; v++)
                {
                    var d = vectors[v] - m;
                    acc += d * d;
                }

                total += Vector.Sum(acc);
            }

            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            var d = values[i] - mean;
            total += d * d;
        }

        return total;
    }

    /// <summary>(Σ g, Σ g·(x − mean)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (double SumG, double SumGX) GradientSums(ReadOnlySpan<float> g, ReadOnlySpan<float> x, float mean)
    {
        var (sumG, sumGX) = (0.0, 0.0);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x[..g.Length]);
            var m = new Vector<float>(mean);
            for (var start = 0; start < gv.Length; start += 256)
            {
                var (accG, accGX) = (Vector<float>.Zero, Vector<float>.Zero);
                var end = Math.Min(gv.Length, start + 256);
                for (var v = start; v < end; v++)
                {
                    accG += gv[v];
                    accGX += gv[v] * (xv[v] - m);
                }

                sumG += Vector.Sum(accG);
                sumGX += Vector.Sum(accGX);
            }

            i = gv.Length * Vector<float>.Count;
        }

        for (; i < g.Length; i++)
        {
            sumG += g[i];
            sumGX += g[i] * (x[i] - mean);
        }

        return (sumG, sumGX);
    }

    /// <summary>destination[i] = source[i]·scale + shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Affine(ReadOnlySpan<float> source, Span<float> destination, float scale, float shift)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination[..source.Length]);
            var (a, b) = (new Vector<float>(scale), new Vector<float>(shift));
            for (var v = 0; v < s.Length; v++)
            {
                d[v] = (s[v] * a) + b;
            }

            i = s.Length * Vector<float>.Count;
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (source[i] * scale) + shift;
        }
    }

    /// <summary>destination[i] = a·g[i] + b·x[i] + c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Combine(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> destination, float a, float b, float c)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x[..g.Length]);
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination[..g.Length]);
            var (av, bv, cv) = (new Vector<float>(a), new Vector<float>(b), new Vector<float>(c));
            for (var v = 0; v < gv.Length; v++)
            {
                d[v] = (gv[v] * av) + (xv[v] * bv) + cv;
            }

            i = gv.Length * Vector<float>.Count;
        }

        for (; i < g.Length; i++)
        {
            destination[i] = (a * g[i]) + (b * x[i]) + c;
        }
    }
}

/// <summary>
/// Gradients of batch normalisation for input, weight and bias. With x̂ = (x − μ)·σ⁻¹ and m
/// values per channel: ∂bias = Σ g, ∂weight = Σ g·x̂, and in training (μ, σ from the batch)
/// ∂x = w·σ⁻¹/m·(m·g − Σ g − x̂·Σ g·x̂); in evaluation (running statistics, constants) ∂x = w·σ⁻¹·g.
/// </summary>
internal sealed class NativeBatchNormBackward0(
    Tensor input, Tensor? weight, Tensor? bias, float[] mean, float[] invStd, bool training, int n, int c, int plane) : Node
{
    private readonly SavedTensor _input = new(input);
    private readonly SavedTensor? _weight = weight is null ? null : new SavedTensor(weight);

    internal override bool SavesTensors => true;

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        var x = _input.Get(this).ContiguousSpan();
        var w = _weight?.Get(this).ToArray();
        var g = gradOutput.ContiguousSpan();
        var count = (double)n * plane;
        var sumG = new double[c];
        var sumGXHat = new double[c];
        for (var ch = 0; ch < c; ch++)
        {
            var (sg, sgx) = (0.0, 0.0);
            for (var i = 0; i < n; i++)
            {
                var at = ((i * c) + ch) * plane;
                var (a, b) = BatchNorm.GradientSums(g.Slice(at, plane), x.Slice(at, plane), mean[ch]);
                (sg, sgx) = (sg + a, sgx + b);
            }

            sumG[ch] = sg;
            sumGXHat[ch] = sgx * invStd[ch];
        }

        Tensor? gradInput = null;
        if (NeedsInputGrad(0))
        {
            gradInput = Tensor.Uninitialized((int[])_input.Get(this).Dims.Clone());
            var dx = gradInput.Storage.Data.AsSpan();
            for (var ch = 0; ch < c; ch++)
            {
                var scale = invStd[ch] * (w is { } ws ? ws[ch] : 1f);
                float a = scale, b = 0f, k = 0f;
                if (training)
                {
                    // w·σ⁻¹·(g − Σg/m − x̂·Σgx̂/m) = a·g + b·x + k with x̂ = (x − μ)·σ⁻¹.
                    b = (float)(-scale * invStd[ch] * sumGXHat[ch] / count);
                    k = (float)((-scale * sumG[ch] / count) - (b * (double)mean[ch]));
                }

                for (var i = 0; i < n; i++)
                {
                    var at = ((i * c) + ch) * plane;
                    BatchNorm.Combine(g.Slice(at, plane), x.Slice(at, plane), dx.Slice(at, plane), a, b, k);
                }
            }
        }

        var gradWeight = NeedsInputGrad(1) ? new Tensor([.. sumGXHat.Select(v => (float)v)], (int[])weight!.Dims.Clone()) : null;
        var gradBias = NeedsInputGrad(2) ? new Tensor([.. sumG.Select(v => (float)v)], (int[])bias!.Dims.Clone()) : null;
        return [gradInput, gradWeight, gradBias];
    }
}
