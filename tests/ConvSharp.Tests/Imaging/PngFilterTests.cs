using System.Numerics;
using ConvSharp.Imaging;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The vectorised PNG row filters against the specification's byte-at-a-time formulas. Marked
/// Kernels, so CI runs them again under DOTNET_EnableAVX2=0 (16-byte vectors) and
/// DOTNET_EnableHWIntrinsic=0 (the scalar loops alone).
/// </summary>
[Trait("Category", "Kernels")]
public class PngFilterTests
{
    /// <summary>Odd and even lengths around one and two vectors of 16 and 32 bytes, and a long row.</summary>
    private static readonly int[] Lengths = [1, 2, 3, 4, 5, 7, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 95, 97, 255, 1001, 3073];

    public static TheoryData<int, int> FiltersAndPixelSizes()
    {
        var data = new TheoryData<int, int>();
        foreach (var filter in Enum.GetValues<PngFilter>())
        {
            foreach (var bpp in new[] { 1, 3, 4 })
            {
                data.Add((int)filter, bpp);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FiltersAndPixelSizes))]
    public void Each_filter_and_its_cost_equal_the_reference_on_random_rows(int number, int bpp)
    {
        var filter = (PngFilter)number;
        var rng = new Random(((int)filter * 10) + bpp);
        foreach (var n in Lengths)
        {
            foreach (var kind in new[] { "random", "zero prior", "extremes", "smooth" })
            {
                var (row, prior) = Rows(rng, n, kind);
                var expected = new byte[n];
                PngFilters.Reference.Apply(filter, row, prior, bpp, expected);
                // A poisoned output and a longer prior: the filter must write every byte, and only the row's.
                var actual = Enumerable.Repeat((byte)0xA5, n + 7).ToArray();
                PngFilters.Apply(filter, row, [.. prior, 1, 2, 3], bpp, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, n)), $"{filter}, {bpp} byte(s) a pixel, {n} bytes, {kind} rows: first difference at {FirstDifference(expected, actual)}");
                Assert.All(actual[n..], b => Assert.Equal(0xA5, b));
                Array.Fill(actual, (byte)0xA5);
                Assert.Equal(PngFilters.Reference.Cost(expected), PngFilters.ApplyAndCost(filter, row, prior, bpp, actual));
                Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, n)));
            }
        }
    }

    /// <summary>
    /// Every (a, b, c) of the predictors' 2^24 neighbourhoods, for the two that compare and halve
    /// (Paeth, Average): with a pixel as wide as half the row, the row's first half is each byte's
    /// left neighbour a, the prior row's first half its upper-left c, its second half the upper b.
    /// </summary>
    [Theory]
    [InlineData((int)PngFilter.Paeth)]
    [InlineData((int)PngFilter.Average)]
    public void Paeth_and_Average_agree_with_the_reference_on_every_neighbourhood(int number)
    {
        var filter = (PngFilter)number;
        const int Half = 256 * 256;
        var row = new byte[2 * Half];
        var prior = new byte[2 * Half];
        var (expected, actual) = (new byte[2 * Half], new byte[2 * Half]);
        for (var i = 0; i < Half; i++)
        {
            (row[i], prior[i], row[Half + i]) = ((byte)(i >> 8), (byte)i, (byte)(i * 7));
        }

        for (var b = 0; b < 256; b++)
        {
            prior.AsSpan(Half).Fill((byte)b);
            PngFilters.Reference.Apply(filter, row, prior, Half, expected);
            PngFilters.Apply(filter, row, prior, Half, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{filter}, b = {b}: first difference at {FirstDifference(expected, actual)}");
        }
    }

    [Theory]
    [InlineData((int)PngFilter.None)]
    [InlineData((int)PngFilter.Paeth)]
    public void The_cost_is_right_past_the_lengths_its_16_bit_sums_hold(int number)
    {
        var filter = (PngFilter)number;
        var rng = new Random(3);
        // Past 128 vectors of 32 bytes (4096) and more, so the 16-bit sums are emptied on the way.
        foreach (var n in new[] { 4095, 4096, 4097, 8192 + 33, 100_001 })
        {
            var (row, prior, filtered) = (new byte[n], new byte[n], new byte[n]);
            rng.NextBytes(row);
            rng.NextBytes(prior);
            var expected = new byte[n];
            PngFilters.Reference.Apply(filter, row, prior, bpp: 3, expected);
            Assert.Equal(PngFilters.Reference.Cost(expected), PngFilters.ApplyAndCost(filter, row, prior, 3, filtered));
            // The dearest bytes everywhere: 128 (|−128|) each, the most the 16-bit sums must hold.
            Array.Fill(row, (byte)128);
            Array.Clear(prior);
            Assert.Equal(filter == PngFilter.None ? 128L * n : 3 * 128, PngFilters.ApplyAndCost(filter, row, prior, 3, filtered));
        }

        Assert.Equal(0 + 1 + 1 + 127 + 128 + 127, PngFilters.Reference.Cost([0, 1, 255, 127, 128, 129]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_chosen_filter_has_the_smallest_cost_and_its_bytes(int bpp)
    {
        var rng = new Random(bpp);
        var seen = new HashSet<PngFilter>();
        foreach (var n in Lengths)
        {
            foreach (var kind in new[] { "random", "zero prior", "extremes", "smooth", "same", "ramp" })
            {
                var (row, prior) = Rows(rng, n, kind);
                var scratch = new byte[PngFilters.Count * n];
                var chosen = PngFilters.Choose(row, prior, bpp, scratch, out var filtered);
                var costs = Enum.GetValues<PngFilter>().Select(f =>
                {
                    var bytes = new byte[n];
                    PngFilters.Reference.Apply(f, row, prior, bpp, bytes);
                    return PngFilters.Reference.Cost(bytes);
                }).ToArray();
                var expected = Array.IndexOf(costs, costs.Min()); // the first of the cheapest, as libpng keeps it
                Assert.True((int)chosen == expected, $"{n} bytes, {kind}: chose {chosen} at cost {costs[(int)chosen]}, costs {string.Join(", ", costs)}");
                var reference = new byte[n];
                PngFilters.Reference.Apply(chosen, row, prior, bpp, reference);
                Assert.True(reference.AsSpan().SequenceEqual(filtered));
                seen.Add(chosen);
            }
        }

        // The rows are varied enough that the choice is a real one.
        Assert.True(seen.Count >= 3, $"only {string.Join(", ", seen)} were ever chosen");
    }

    [Fact]
    public void Filters_refuse_rows_they_would_read_or_write_beyond()
    {
        var row = new byte[10];
        Assert.Throws<ArgumentException>(() => PngFilters.Apply(PngFilter.Up, row, new byte[9], 1, new byte[10]));
        Assert.Throws<ArgumentException>(() => PngFilters.Apply(PngFilter.Up, row, new byte[10], 1, new byte[9]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngFilters.Apply(PngFilter.Sub, row, new byte[10], 0, new byte[10]));
    }

    [Fact]
    public void The_vector_path_is_the_one_CI_expects_for_this_environment()
    {
        // CI sets CONVSHARP_TEST_EXPECT_KERNEL=scalar beside DOTNET_EnableHWIntrinsic=0 (the scalar loops ran) and vector128 beside DOTNET_EnableAVX2=0.
        var expected = Environment.GetEnvironmentVariable("CONVSHARP_TEST_EXPECT_KERNEL");
        if (expected is not null)
        {
            Assert.Equal(!expected.Equals("scalar", StringComparison.OrdinalIgnoreCase), Vector.IsHardwareAccelerated);
            if (expected is "vector128" or "advsimd")
            {
                Assert.Equal(16, Vector<byte>.Count); // the 16-byte loops ran, not the 32-byte ones
            }
        }
    }

    /// <summary>A row and its prior row: random bytes, a zero prior (the first row), the extremes 0, 1, 127, 128, 254, 255, a smooth gradient, equal rows, or a ramp.</summary>
    internal static (byte[] Row, byte[] Prior) Rows(Random rng, int n, string kind)
    {
        var (row, prior) = (new byte[n], new byte[n]);
        byte[] extremes = [0, 1, 127, 128, 254, 255];
        for (var i = 0; i < n; i++)
        {
            (row[i], prior[i]) = kind switch
            {
                "zero prior" => ((byte)rng.Next(256), (byte)0),
                "extremes" => (extremes[rng.Next(6)], extremes[rng.Next(6)]),
                "smooth" => ((byte)(100 + (i / 5) + rng.Next(3)), (byte)(99 + (i / 5) + rng.Next(3))),
                "same" => ((byte)(i * 37), (byte)(i * 37)),
                "ramp" => ((byte)i, (byte)(i + 50)),
                _ => ((byte)rng.Next(256), (byte)rng.Next(256)),
            };
        }

        return (row, prior);
    }

    private static int FirstDifference(byte[] expected, byte[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                return i;
            }
        }

        return -1;
    }
}
