namespace ConvSharp.Randomness;

/// <summary>Random orders and seeds: what a data loader draws to shuffle its examples.</summary>
internal sealed partial class Generator
{
    /// <summary>
    /// A random permutation of 0 … <paramref name="n"/> − 1, drawn as PyTorch's CPU
    /// <c>randperm</c> draws it for n below 2³²/20: from the front, element i swaps with element
    /// i + (next 32 random bits mod (n − i)), so one seed gives <c>torch.randperm(n, generator=g)</c>'s order.
    /// </summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        lock (_lock)
        {
            for (var i = 0; i < n - 1; i++)
            {
                var z = i + (int)(_engine.NextUInt32() % (uint)(n - i));
                (order[i], order[z]) = (order[z], order[i]);
            }
        }

        return order;
    }

    /// <summary>64 random bits (two draws, high word first, as PyTorch's <c>random64</c>), e.g. to seed another generator.</summary>
    public ulong NextUInt64()
    {
        lock (_lock)
        {
            ulong hi = _engine.NextUInt32();
            return (hi << 32) | _engine.NextUInt32();
        }
    }
}
