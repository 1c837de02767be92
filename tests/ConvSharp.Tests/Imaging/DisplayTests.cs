using ConvSharp.Imaging;

namespace ConvSharp.Tests.Imaging;

/// <summary>The mappings from filter responses to pictures.</summary>
public class DisplayTests
{
    private static readonly Tensor Response = Tensor.FromArray([-2f, -1f, 0f, 1f, 4f, 0.5f], 1, 2, 3);

    [Fact]
    public void Clamp_cuts_at_zero_and_one()
    {
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 0.5f], Display.Map(Response, DisplayMap.Clamp).ToArray());
    }

    [Fact]
    public void Normalize_sends_the_minimum_to_black_and_the_maximum_to_white()
    {
        var expected = new[] { 0f, 1f / 6, 2f / 6, 3f / 6, 1f, 2.5f / 6 };
        Assert.Equal(expected, Display.Map(Response, DisplayMap.Normalize).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Abs_divides_by_the_largest_magnitude_when_nothing_may_saturate()
    {
        var expected = new[] { 0.5f, 0.25f, 0f, 0.25f, 1f, 0.125f };
        Assert.Equal(expected, Display.Map(Response, DisplayMap.Abs, saturate: 0).ToArray());
    }

    [Fact]
    public void A_few_extreme_values_saturate_instead_of_darkening_everything_else()
    {
        // 999 values of magnitude 1 and one outlier of 1000: by default the outlier saturates.
        var values = Enumerable.Repeat(1f, 999).Append(1000f).ToArray();
        var mapped = Display.Map(Tensor.FromArray(values, 1, 1, 1000), DisplayMap.Abs).ToArray();
        Assert.Equal(1f, mapped[0]);
        Assert.Equal(1f, mapped[^1]);
        Assert.Equal(0.001f, Display.Map(Tensor.FromArray(values, 1, 1, 1000), DisplayMap.Abs, saturate: 0).ToArray()[0], 1e-6f);
    }

    [Fact]
    public void Signed_is_blue_for_negative_white_for_zero_red_for_positive()
    {
        var picture = Display.Map(Tensor.FromArray([-4f, 0f, 4f, 2f], 1, 1, 4), DisplayMap.Signed, saturate: 0);
        Assert.Equal([3, 1, 4], picture.Shape);
        var rgb = picture.ToArray();
        float[] Pixel(int i) => [rgb[i], rgb[4 + i], rgb[8 + i]];
        Assert.Equal([0f, 0f, 1f], Pixel(0));
        Assert.Equal([1f, 1f, 1f], Pixel(1));
        Assert.Equal([1f, 0f, 0f], Pixel(2));
        Assert.Equal([1f, 0.5f, 0.5f], Pixel(3));
    }

    [Fact]
    public void Signed_colour_responses_show_the_strongest_channel()
    {
        // Pixel 0: the green channel's −3 dominates; pixel 1: the red channel's +3.
        var response = Tensor.FromArray([1f, 3f, -3f, 0f, 0f, 1f], 3, 1, 2);
        var rgb = Display.Map(response, DisplayMap.Signed, saturate: 0).ToArray();
        Assert.Equal([0f, 0f, 1f], new[] { rgb[0], rgb[2], rgb[4] });
        Assert.Equal([1f, 0f, 0f], new[] { rgb[1], rgb[3], rgb[5] });
    }

    [Fact]
    public void A_constant_response_maps_to_black_rather_than_dividing_by_zero()
    {
        Assert.All(Display.Map(Tensor.Zeros(1, 2, 2), DisplayMap.Normalize).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Display.Map(Tensor.Zeros(2, 2), DisplayMap.Abs).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Display.Map(Tensor.Zeros(2, 2), DisplayMap.Signed).ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Non_finite_responses_and_wrong_shapes_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Display.Map(Tensor.FromArray([1f, float.PositiveInfinity], 1, 2), DisplayMap.Abs));
        Assert.Contains("Infinity", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Display.Map(Tensor.Zeros(1, 1, 2, 2), DisplayMap.Clamp));
        Assert.Throws<ArgumentOutOfRangeException>(() => Display.Map(Tensor.Zeros(2, 2), DisplayMap.Abs, saturate: 0.7));
    }
}
