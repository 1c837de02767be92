namespace ConvSharp.Randomness;

/// <summary>
/// A seeded source of random tensors that follows PyTorch's CPU generator: MT19937 underneath,
/// the same mapping of bits to uniform floats (so <c>Rand</c> and <c>Uniform</c> after the same
/// seed give PyTorch's values exactly), and the same Box–Muller pairing for normals (PyTorch's
/// vectorised log/sin/cos differ from .NET's in the last bits, so <c>Randn</c> agrees to about 1e-6).
/// </summary>
internal sealed partial class Generator
{
    private readonly Lock _lock = new();
    private MersenneTwister _engine;
    private double? _nextDoubleNormal;

    public Generator(ulong seed)
    {
        InitialSeed = seed;
        _engine = new MersenneTwister((uint)seed);
    }

    public ulong InitialSeed { get; private set; }

    public void ManualSeed(ulong seed)
    {
        lock (_lock)
        {
            InitialSeed = seed;
            _engine = new MersenneTwister((uint)seed);
            _nextDoubleNormal = null;
        }
    }

    /// <summary>Fills with uniform values in [low, high): 24 random bits per float, as PyTorch's <c>uniform_</c>.</summary>
    public void FillUniform(Span<float> destination, float low, float high)
    {
        ValidateRange(low, high);
        lock (_lock)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = NextUniformFloat(low, high);
            }
        }
    }

    /// <summary>Fills with normal values: PyTorch's <c>normal_</c> (batched Box–Muller from 16 values up).</summary>
    public void FillNormal(Span<float> destination, float mean, float std)
    {
        if (!float.IsFinite(mean) || !(std >= 0f) || !float.IsFinite(std))
        {
            throw new ArgumentException($"normal expects a finite mean and std >= 0, but found mean={mean}, std={std}.");
        }

        lock (_lock)
        {
            if (destination.Length >= 16)
            {
                FillNormalBatched(destination, mean, std);
            }
            else
            {
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)((NextDoubleNormal() * std) + mean);
                }
            }
        }
    }

    private static void ValidateRange(float low, float high)
    {
        if (!float.IsFinite(low) || !float.IsFinite(high) || low > high)
        {
            throw new ArgumentException($"uniform expects finite low <= high, but got low={low}, high={high}.");
        }
    }

    private float NextUniformFloat(float low, float high)
    {
        const float Scale = 1f / (1 << 24);
        var x = (_engine.NextUInt32() & 0xFFFFFF) * Scale;
        // One rounding, as PyTorch's compiled kernel does (a fused multiply-add).
        return MathF.FusedMultiplyAdd(x, high - low, low);
    }

    private double NextUniformDouble()
    {
        ulong hi = _engine.NextUInt32();
        ulong lo = _engine.NextUInt32();
        var bits = ((hi << 32) | lo) & ((1UL << 53) - 1);
        return bits * (1.0 / (1UL << 53));
    }

    /// <summary>One standard normal in double precision; the sine half of each pair is kept for the next call.</summary>
    private double NextDoubleNormal()
    {
        if (_nextDoubleNormal is { } cached)
        {
            _nextDoubleNormal = null;
            return cached;
        }

        var u1 = NextUniformDouble();
        var u2 = NextUniformDouble();
        var r = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
        var theta = 2.0 * Math.PI * u1;
        _nextDoubleNormal = r * Math.Sin(theta);
        return r * Math.Cos(theta);
    }

    private void FillNormalBatched(Span<float> data, float mean, float std)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = NextUniformFloat(0f, 1f);
        }

        for (var i = 0; i + 16 <= data.Length; i += 16)
        {
            BoxMuller16(data.Slice(i, 16), mean, std);
        }

        if (data.Length % 16 != 0)
        {
            // PyTorch redraws the last 16 values, overlapping the previous block.
            var tail = data[^16..];
            for (var i = 0; i < 16; i++)
            {
                tail[i] = NextUniformFloat(0f, 1f);
            }

            BoxMuller16(tail, mean, std);
        }
    }

    /// <summary>Turns 16 uniforms into 16 normals: value j pairs with value j + 8.</summary>
    private static void BoxMuller16(Span<float> data, float mean, float std)
    {
        for (var j = 0; j < 8; j++)
        {
            var u1 = 1f - data[j];
            var u2 = data[j + 8];
            var radius = MathF.Sqrt(-2f * MathF.Log(u1));
            var theta = 2f * MathF.PI * u2;
            data[j] = (radius * MathF.Cos(theta) * std) + mean;
            data[j + 8] = (radius * MathF.Sin(theta) * std) + mean;
        }
    }
}
