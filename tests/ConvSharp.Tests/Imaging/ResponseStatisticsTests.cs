using ConvSharp.Imaging;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The scale of the abs and signed maps is the very element a sort of |v| picks, however the
/// response is cut into bands and whichever way the second pass takes its bucket (gathered, or
/// counted when the bucket is too full). The second pass is a vector loop: CI runs this class
/// again under each ISA fallback and on ARM64.
/// </summary>
[Trait("Category", "Kernels")]
public class ResponseStatisticsTests
{
    public static TheoryData<string, int> Responses()
    {
        var data = new TheoryData<string, int>();
        foreach (var kind in new[] { "photo-like", "wide range", "all equal", "mostly zero", "all zero", "tiny", "ties" })
        {
            foreach (var length in new[] { 1, 2, 7, 33, 1000, 40_003 })
            {
                data.Add(kind, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Responses))]
    public void The_scale_is_the_element_a_sort_picks(string kind, int length)
    {
        var values = Response(kind, length, seed: length);
        foreach (var saturate in new[] { 0.005, 0.0, 0.5, 0.999 })
        {
            var expected = SortedScale(values, saturate);
            foreach (var maxGathered in new[] { ResponseStatistics.MaxGathered, 3, 0 })
            {
                foreach (var band in new[] { length, 17, length <= 1000 ? 1 : 4099 })
                {
                    var statistics = new ResponseStatistics(length, saturate, maxGathered: maxGathered);
                    foreach (var part in Bands(values, band))
                    {
                        statistics.Observe(part);
                    }

                    foreach (var part in Bands(values, band).Reverse())
                    {
                        statistics.ObserveAgain(part);
                    }

                    var scale = statistics.Scale();
                    Assert.True(
                        BitConverter.SingleToInt32Bits(scale) == BitConverter.SingleToInt32Bits(expected),
                        $"{kind}, {length} values, saturate {saturate}, gathering at most {maxGathered}, bands of {band}: {scale:R}, a sort gives {expected:R}");
                    Assert.Equal(values.Min(), statistics.Min);
                    Assert.Equal(values.Max(), statistics.Max);
                }
            }
        }
    }

    [Fact]
    public void A_second_pass_that_differs_from_the_first_is_an_error_not_a_wrong_scale()
    {
        float[] values = [1f, 2f, 3f, 4f];
        var statistics = new ResponseStatistics(values.Length, 0.0);
        statistics.Observe(values);
        statistics.ObserveAgain(values.AsSpan(0, 3)); // the quantile, 4, is never seen again
        Assert.Throws<InvalidOperationException>(() => statistics.Scale());

        var without = new ResponseStatistics(values.Length, 0.0);
        without.Observe(values);
        Assert.Throws<InvalidOperationException>(() => without.Scale());
    }

    /// <summary>The element at ⌊(n − 1)(1 − saturate)⌋ of the sorted |v|, or the largest |v| when it is 0.</summary>
    private static float SortedScale(float[] values, double saturate)
    {
        var magnitudes = values.Select(MathF.Abs).Order().ToArray();
        var quantile = magnitudes[(long)Math.Floor((values.Length - 1) * (1 - saturate))];
        return quantile > 0 ? quantile : magnitudes[^1];
    }

    private static IEnumerable<float[]> Bands(float[] values, int band)
    {
        for (var i = 0; i < values.Length; i += band)
        {
            yield return values[i..Math.Min(values.Length, i + band)];
        }
    }

    private static float[] Response(string kind, int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(i => kind switch
        {
            "photo-like" => (float)((random.NextDouble() - 0.5) * random.NextDouble() * 4),
            "wide range" => (float)((random.Next(2) * 2 - 1) * Math.Pow(10, (random.NextDouble() * 60) - 30)),
            "all equal" => -0.75f,
            "mostly zero" => random.Next(10) == 0 ? (float)random.NextDouble() : (random.Next(2) == 0 ? 0f : -0f),
            "all zero" => 0f,
            "tiny" => (float)(random.NextDouble() * 1e-40), // subnormal
            _ => random.Next(5) * 0.25f - 0.5f, // a few values, each many times
        })];
    }
}
