using System.Text.RegularExpressions;
using ConvSharp.Compute;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>
/// The library's cases of issue 8, one test each: extreme integers get an
/// <see cref="ArgumentException"/> with the true sizes (or, where the call is legal, the right
/// answer), never a crash, a wrapped number or a bare <see cref="OverflowException"/>.
/// </summary>
public partial class ExtremeArgumentTests
{
    private static string Refused(Func<Tensor> call, params string[] fragments)
    {
        var thrown = Record.Exception(() => call());
        var e = Assert.IsAssignableFrom<ArgumentException>(thrown);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        }

        Fuzz.AssertNoWrappedNumbers(e.Message, []);
        return e.Message;
    }

    [Fact]
    public void Case5_an_int_MaxValue_dilation_is_refused_with_its_true_span()
    {
        var x = Tensor.Rand(1, 3, 8, 8);
        var w = Tensor.Rand(2, 3, 3, 3);
        Refused(() => F.Conv2d(x, w, dilation: int.MaxValue), "Kernel size: (4294967295 x 4294967295)", "can't be greater than actual input size");
        Refused(() => F.Conv2d(x, w, dilation: int.MaxValue, padding: Padding.Same), "padded input (4294967302 x 4294967302)", "at most 2147483647");
        foreach (var algorithm in Enum.GetValues<ConvAlgorithm>())
        {
            using var forced = ConvPlanOptions.Use(new() { Algorithm = algorithm });
            Refused(() => F.Conv2d(x, w, dilation: int.MaxValue));
        }
    }

    [Fact]
    public void Case6_huge_paddings_and_strides_are_refused_or_computed_exactly()
    {
        var x = Tensor.Rand(1, 3, 8, 8);
        var w = Tensor.Rand(2, 3, 3, 3);
        Refused(() => F.Conv2d(x, w, padding: int.MaxValue), "padding (top 2147483647, bottom 2147483647", "(4294967302 x 4294967302)");
        Refused(() => F.Conv2d(x, w, padding: int.MaxValue - 1), "(4294967300 x 4294967300)");
        Refused(() => F.Conv2d(x, w, padding: (1 << 30) - 1), "(2147483654 x 2147483654)");
        Refused(() => F.Conv2d(x, w, dilation: 1 << 30), "Kernel size: (2147483649 x 2147483649)");
        Refused(() => F.ConvTranspose2d(x, Tensor.Rand(3, 2, 3, 3), dilation: int.MaxValue), "spans (4294967302 x 4294967302)");
        Refused(() => F.ConvTranspose2d(x, Tensor.Rand(3, 2, 3, 3), stride: 1 << 30), "spans (7516192771 x 7516192771)");
        Refused(() => F.Unfold(x, kernelSize: 3, padding: int.MaxValue), "(4294967302 x 4294967302)");
        Refused(() => F.Unfold(x, kernelSize: 3, dilation: int.MaxValue), "(0, 0)");

        // Legal and tiny: one window per image, at the top-left corner; 'same' asks for no padding here.
        var y = F.Conv2d(x, w, stride: int.MaxValue, padding: Padding.Same);
        Assert.Equal([1, 2, 1, 1], y.Shape);
        Expect.Close(F.Conv2d(x[.., .., ..3, ..3], w), y);

        // Legal: a dilation that reaches across the padding to the other side, taps mostly in the padding.
        var far = F.Conv2d(x, w, padding: 1 << 20, dilation: 1 << 20);
        Assert.Equal([1, 2, 8, 8], far.Shape);
        Expect.Close(F.Conv2d(x, w[.., .., 1..2, 1..2]), far);
    }

    [Fact]
    public void Case7_a_tall_dilated_kernel_runs_within_a_one_megabyte_stack()
    {
        var x = Tensor.Rand(1, 1, 400_001, 8);
        var w = Tensor.Rand(1, 1, 2, 1);
        Tensor? y = null;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    using var direct = ConvPlanOptions.Use(new() { Algorithm = ConvAlgorithm.Direct });
                    y = F.Conv2d(x, w, dilation: (400_000, 1));
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            maxStackSize: 1 << 20);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.Equal([1, 1, 1, 8], y!.Shape);
        var expected = (x[0, 0, 0] * w[0, 0, 0, 0]) + (x[0, 0, 400_000] * w[0, 0, 1, 0]);
        Expect.Close(expected, y.Reshape(8));
    }

    [Fact]
    public void Case8_results_larger_than_an_array_get_the_librarys_message()
    {
        Refused(() => F.Unfold(Tensor.Zeros(1, 16, 1024, 1024), kernelSize: 12), "unfold", "[1, 2304, 1026169]", "more than one .NET array holds");
        Refused(() => Tensor.Zeros(50000, 1).MatMul(Tensor.Zeros(1, 50000)), "[50000, 50000]", "more elements than a .NET array can hold");
        Refused(() => F.Fold(Tensor.Zeros(1, 4, 1), outputSize: (1 << 20, 1 << 20), kernelSize: 2, stride: 1 << 20), "fold", "[1, 1, 1048576, 1048576]");
        Refused(() => F.Pad(Tensor.Zeros(1, 1, 2, 2), (0, 0, int.MaxValue, 0)), "pad", "2147483649");
        Refused(() => Tensor.Arange(0, 1e10f), "arange", "more than one .NET array holds");
    }

    [Fact]
    public void Case9_a_second_backward_through_freed_saved_tensors_throws_as_PyTorch_does()
    {
        var x = Tensor.From([1f, 2f, 3f]);
        x.RequiresGrad = true;
        var loss = (x * x).Sum();
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.StartsWith("Trying to backward through the graph a second time", e.Message, StringComparison.Ordinal);
        Assert.Contains("retainGraph: true", e.Message, StringComparison.Ordinal);
        Assert.Equal([2f, 4f, 6f], x.Grad!.ToArray()); // the failed pass added nothing

        // Kept: the second pass adds the gradient once more, as retain_graph=True does.
        x.Grad = null;
        var kept = (x * x).Sum();
        kept.Backward(retainGraph: true);
        kept.Backward();
        Assert.Equal([4f, 8f, 12f], x.Grad!.ToArray());
        Assert.Throws<InvalidOperationException>(() => kept.Backward());

        // A convolution saves its input and weight, so it is freed too.
        var image = Tensor.Rand(1, 1, 5, 5);
        image.RequiresGrad = true;
        var response = F.Conv2d(image, Tensor.Rand(1, 1, 3, 3)).Sum();
        response.Backward();
        Assert.Throws<InvalidOperationException>(() => response.Backward());

        // Operations that save nothing can be gone through again, as in PyTorch.
        var y = Tensor.From([1f, 2f]);
        y.RequiresGrad = true;
        var plain = (y + 1f).Sum();
        plain.Backward();
        plain.Backward();
        Assert.Equal([2f, 2f], y.Grad!.ToArray());
    }

    [Fact]
    public void Case10_the_library_reads_only_the_environment_variables_the_readme_documents()
    {
        var root = ProjectTests.RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var read = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => EnvironmentRead().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.NotEmpty(read);
        Assert.DoesNotContain("CONVSHARP_PROFILE_SKIP_KERNELS", read);
        foreach (var variable in read)
        {
            Assert.True(readme.Contains(variable, StringComparison.Ordinal), $"{variable} is read by the code but not documented in the README");
        }
    }

    [Fact]
    public void Empty_tensors_reshape_multiply_and_unfold_as_in_PyTorch()
    {
        // An empty tensor counted as not contiguous, and Reshape copied it and asked again, for ever.
        Assert.Equal([0, 2], Tensor.Zeros(2, 0).Reshape(0, 2).Shape);
        Assert.Equal([0], Tensor.Zeros(2, 0).Reshape(-1).Shape);
        Assert.Equal([2, 0, 4], Tensor.Zeros(2, 0, 3).MatMul(Tensor.Zeros(3, 4)).Shape);
        Assert.Equal([0], F.Unfold(Tensor.Zeros(2, 0, 3, 3), 1).Reshape(-1).Shape);
        var x = Tensor.Zeros(2, 0, 3);
        x.RequiresGrad = true;
        x.Reshape(0, 6).Sum().Backward();
        Assert.Equal([2, 0, 3], x.Grad!.Shape);
    }

    [Fact]
    public void A_zero_size_makes_an_empty_tensor_however_large_the_others()
    {
        Assert.Equal(0, Tensor.Zeros(1 << 30, 1 << 30, 0).NumElements);
        Assert.Equal([65536, 65536, 0], Tensor.Zeros(0, 65536, 65536).Permute(2, 1, 0).Contiguous().Shape);
        Assert.Equal([65536, 0], Tensor.Zeros(0, 65536, 65536).Transpose(0, 2).Sum(1).Shape);
        Assert.Equal([1, int.MaxValue, 0], F.Pad(Tensor.Zeros(1, 0, 3), (0, -3, int.MaxValue, 0)).Shape);
    }

    [Fact]
    public void Narrow_past_the_end_is_refused_with_the_true_sizes()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Arange(5).Narrow(0, 100, 2147483591));
        Assert.Contains("start (100) + length (2147483591) exceeds dimension size (5)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Arange(5).Narrow(0, 1, int.MaxValue));
        Assert.Equal([2f, 3f], Tensor.Arange(5).Narrow(0, 2, 2).ToArray());
    }

    [Fact]
    public void A_scalar_takes_dimension_0_as_PyTorch_does()
    {
        var scalar = Tensor.Scalar(3f);
        Assert.Equal(3f, scalar.Sum(0).Item());
        Assert.Equal(3f, scalar.Mean(-1).Item());
        Assert.Equal(3f, scalar.Flip(0).Item());
        Assert.Equal(3f, scalar.Transpose(0, -1).Item());
        Assert.Contains("0-dim", Assert.ThrowsAny<ArgumentException>(() => scalar.Select(0, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("0-dim", Assert.ThrowsAny<ArgumentException>(() => scalar.Narrow(0, 0, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("no dimensions", Assert.ThrowsAny<ArgumentException>(() => scalar.Size(0)).Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => scalar.Sum(1));
    }

    [Fact]
    public void A_tensor_of_very_high_rank_prints_in_time_linear_in_its_rank()
    {
        // Printing recursed once per dimension and copied the shape at each level: rank 100000
        // ran for minutes and could overflow the stack.
        var text = Tensor.Ones(Enumerable.Repeat(1, 100_000).ToArray()).ToString();
        Assert.Equal("tensor(" + new string('[', 100_000) + "1." + new string(']', 100_000) + ")", text);
    }

    [Fact]
    public void A_second_backward_through_a_convolution_throws_even_when_only_the_bias_needs_a_gradient()
    {
        var bias = Tensor.Zeros(2);
        bias.RequiresGrad = true;
        var loss = F.Conv2d(Tensor.Rand(1, 1, 4, 4), Tensor.Rand(2, 1, 3, 3), bias).Sum();
        loss.Backward();
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Equal([4f, 4f], bias.Grad!.ToArray());

        var image = Tensor.Rand(1, 1, 4, 4);
        image.RequiresGrad = true;
        var reflected = F.Pad(image, (1, 1, 1, 1), PaddingMode.Reflect).Sum();
        reflected.Backward();
        Assert.Throws<InvalidOperationException>(() => reflected.Backward());
        var constant = F.Pad(image, (1, 1, 1, 1), 0f).Sum();
        constant.Backward();
        constant.Backward(); // PyTorch saves nothing for a constant pad
    }

    [Fact]
    public void Empty_views_whose_offset_lies_past_their_storage_are_empty_tensors()
    {
        var column = Tensor.Zeros(0, 3)[.., 1];
        Assert.Equal([0], (column + 1f).Shape);
        Assert.Equal(0f, column.Sum().Item());
        Assert.Equal([0], column.Clone().Shape);
        Assert.Empty(column.ToArray());
        Assert.Equal([0, 3], Tensor.Zeros(0, 3).Flip(1).Shape);
        Assert.Equal([0, 1], Tensor.Zeros(0, 3).Narrow(1, 2, 1).Contiguous().Shape);
    }

    [Fact]
    public void Transforms_that_overflow_or_smear_an_infinity_give_way_to_the_exact_algorithm()
    {
        // FFT: sums of a tile's worth of 1e35 overflow float; one infinite pixel smeared NaN over its tile.
        var bright = Tensor.Ones(1, 1, 300, 300) * 1e35f;
        var blur = F.Conv2d(bright, Tensor.Ones(1, 1, 15, 15) / 225f);
        Assert.All(blur.ToArray(), v => Assert.Equal(1e35f, v, 1e30f));

        var spot = Tensor.Ones(1, 1, 300, 300);
        spot[0, 0, 150, 150] = float.PositiveInfinity;
        var response = F.Conv2d(spot, Tensor.Ones(1, 1, 15, 15)).ToArray();
        Assert.Equal(225, response.Count(float.IsPositiveInfinity));
        Assert.DoesNotContain(response, float.IsNaN);

        // Winograd: 16 channels of 1e37 averaged.
        var channels = Tensor.Ones(1, 16, 20, 20) * 1e37f;
        var mean = F.Conv2d(channels, Tensor.Ones(16, 16, 3, 3) / 144f);
        Assert.All(mean.ToArray(), v => Assert.Equal(1e37f, v, 1e32f));
    }

    [Fact]
    public void A_broadcast_view_is_summed_without_copying_what_it_repeats()
    {
        var repeated = Tensor.Ones(1).Expand(1 << 27);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(1 << 27, repeated.Sum().Item());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the sum copied the view");
    }

    /// <summary>The project's variables are named CONVSHARP_…; a string literal of that form in the code is one it reads.</summary>
    [GeneratedRegex("\"(CONVSHARP_[A-Z0-9_]+)\"")]
    private static partial Regex EnvironmentRead();
}
