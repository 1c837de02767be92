using System.Text.Json;
using ConvSharp.Randomness;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Data;

/// <summary>The DataLoader's shuffle draws what <c>torch.randperm(n, generator=g)</c> draws after the same seed (tools/fixtures/make_randperm_fixtures.py).</summary>
public class RandpermParityTests
{
    [Fact]
    [Trait("Category", "Parity")]
    public void Permutation_is_torch_randperm_after_the_same_seed()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Photos.Fixture("randperm.json")));
        foreach (var c in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            var (seed, n) = (c.GetProperty("seed").GetUInt64(), c.GetProperty("n").GetInt32());
            var permutation = new Generator(seed).Permutation(n);
            var head = c.GetProperty("head").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            Assert.Equal(head, permutation.Take(head.Length));
            const ulong Modulus = (1UL << 61) - 1;
            var checksum = 0UL;
            for (var i = 0; i < n; i++)
            {
                checksum = (ulong)((checksum + ((UInt128)(ulong)(i + 1) * (ulong)permutation[i])) % Modulus);
            }

            Assert.Equal(c.GetProperty("checksum").GetUInt64(), checksum);
        }
    }
}
