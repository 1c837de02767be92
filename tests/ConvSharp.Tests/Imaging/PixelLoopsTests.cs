using ConvSharp.Imaging;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The vector loops that draw a response (display maps, quantising, the finite check, the range)
/// against their scalar formulas, at lengths around one and four vectors. CI runs this class again
/// under DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0 and on ARM64, so every body is held to
/// the same answers.
/// </summary>
[Trait("Category", "Kernels")]
public class PixelLoopsTests
{
    public static TheoryData<int> Lengths => [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 127, 129, 1000, 4099];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Quantise_rounds_every_value_as_the_scalar_formula_does(int length)
    {
        var values = Values(length, seed: length);
        var levels = new byte[length];
        PixelLoops.Quantise(values, levels);
        for (var i = 0; i < length; i++)
        {
            Assert.True(levels[i] == PixelConversion.Quantise(values[i]), $"value {values[i]:R} at {i}: {levels[i]}, the scalar formula gives {PixelConversion.Quantise(values[i])}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Levels_are_each_byte_divided_by_255_as_one_float(int length)
    {
        var random = new Random(length);
        foreach (var bytesPerPixel in new[] { 1, 4 })
        {
            var pixels = new byte[(length * bytesPerPixel) + 5]; // a few bytes past the row, never read
            random.NextBytes(pixels);
            for (var channel = 0; channel < bytesPerPixel; channel++)
            {
                var values = new float[length];
                PixelLoops.Levels(pixels, bytesPerPixel, channel, values);
                for (var x = 0; x < length; x++)
                {
                    var level = pixels[(x * bytesPerPixel) + channel];
                    Assert.True(
                        BitConverter.SingleToInt32Bits(values[x]) == BitConverter.SingleToInt32Bits(level / 255f),
                        $"{bytesPerPixel}-byte pixels, channel {channel}, x {x}: {values[x]:R} for level {level}, {level / 255f:R} expected");
                }
            }
        }
    }

    [Fact]
    public void Levels_cover_every_byte_and_refuse_a_channel_outside_the_pixel()
    {
        var every = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        var values = new float[256];
        PixelLoops.Levels(every, 1, 0, values);
        Assert.Equal(every.Select(v => v / 255f), values);
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelLoops.Levels(every, 4, 4, new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelLoops.Levels(every, 3, 0, new float[4]));
    }

    [Fact]
    public void Quantise_rounds_the_halves_between_levels_to_even_and_clamps()
    {
        // k/510 lies halfway between levels: ties go to the even level, as MathF.Round does.
        float[] values = [.. Enumerable.Range(0, 511).Select(k => k / 510f), -0f, -1e-30f, -5f, 1.0000001f, 7f, 0.5f / 255f, 254.5f / 255f, float.Epsilon];
        var levels = new byte[values.Length];
        PixelLoops.Quantise(values, levels);
        Assert.Equal(values.Select(PixelConversion.Quantise), levels);
        Assert.Equal(0, levels[511 + 2]); // −5
        Assert.Equal(255, levels[511 + 4]); // 7
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_maps_give_the_scalar_formulas_values(int length)
    {
        var values = Values(length, seed: 1000 + length).Select(v => (v * 40f) - 20f).ToArray();
        var mapped = new float[length];

        PixelLoops.Clamp(values, mapped);
        Assert.Equal(values.Select(v => Math.Clamp(v, 0f, 1f)), mapped);

        PixelLoops.Normalize(values, -3.25f, 17.5f, mapped);
        Assert.Equal(values.Select(v => (v - -3.25f) / 17.5f), mapped);

        PixelLoops.Abs(values, 6.3f, mapped);
        Assert.Equal(values.Select(v => Math.Min(MathF.Abs(v) / 6.3f, 1f)), mapped);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_signed_colours_are_the_scalar_formulas(int length)
    {
        foreach (var channels in new[] { 1, 3, 4 })
        {
            var response = Values(channels * length, seed: 3000 + length).Select(v => (v * 8f) - 4f).ToArray();
            for (var i = 0; i < response.Length; i += 7)
            {
                response[i] = i % 2 == 0 ? -response[i] : 0f; // ties of |v| across channels, and zeros
            }

            foreach (var scale in new[] { 2.5f, 0f })
            {
                var picture = new float[3 * length];
                PixelLoops.Signed(response, channels, length, scale, picture);
                for (var p = 0; p < length; p++)
                {
                    var strongest = response[p];
                    for (var c = 1; c < channels; c++)
                    {
                        var v = response[(c * length) + p];
                        strongest = MathF.Abs(v) > MathF.Abs(strongest) ? v : strongest;
                    }

                    var (r, g, b) = Display.SignedColor(scale > 0 ? strongest / scale : 0f);
                    Assert.True(
                        (r, g, b) == (picture[p], picture[length + p], picture[(2 * length) + p]),
                        $"{channels} channel(s), scale {scale}, pixel {p}: ({picture[p]}, {picture[length + p]}, {picture[(2 * length) + p]}), expected ({r}, {g}, {b})");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_range_is_the_smallest_and_largest_value(int length)
    {
        var values = Values(length, seed: 2000 + length).Select(v => (v * 1e4f) - 3e3f).ToArray();
        var (min, max) = PixelLoops.MinMax(values);
        Assert.Equal(length == 0 ? float.PositiveInfinity : values.Min(), min);
        Assert.Equal(length == 0 ? float.NegativeInfinity : values.Max(), max);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(31)]
    [InlineData(64)]
    [InlineData(999)]
    public void The_first_value_that_is_not_finite_is_found_wherever_it_is(int at)
    {
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var values = Values(1000, seed: at);
            Assert.Equal(-1, PixelLoops.FirstNonFinite(values));
            values[at] = bad;
            if (at + 3 < values.Length)
            {
                values[at + 3] = float.NaN; // a later one does not hide the first
            }

            Assert.Equal(at, PixelLoops.FirstNonFinite(values));
        }
    }

    /// <summary>Values mostly in [−0.25, 1.25), with exact levels and halves between them mixed in.</summary>
    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(i => (i % 5) switch
        {
            0 => random.Next(256) / 255f,
            1 => (random.Next(510) + 0.5f) / 510f,
            _ => (float)((random.NextDouble() * 1.5) - 0.25),
        })];
    }
}
