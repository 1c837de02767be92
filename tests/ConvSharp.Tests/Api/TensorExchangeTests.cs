using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Api;

/// <summary>From(span) copies, Wrap shares, AsSpan/AsReadOnlySpan expose, CopyTo gathers: values, aliasing, autograd and errors.</summary>
public class TensorExchangeTests
{
    [Fact]
    public void From_a_span_copies_so_the_source_and_the_tensor_are_independent()
    {
        Span<float> source = [1, 2, 3, 4, 5, 6];
        var t = Tensor.From(source, 2, 3);
        source[0] = 100;
        Expect.Shape([2, 3], t);
        Expect.Values([1, 2, 3, 4, 5, 6], t);

        t[0, 1] = 50f;
        Assert.Equal(2f, source[1]);
    }

    [Fact]
    public void From_a_span_without_a_shape_is_1_d_and_an_empty_shape_is_0_d()
    {
        Expect.Shape([3], Tensor.From((ReadOnlySpan<float>)[1, 2, 3]));
        Expect.Shape([0], Tensor.From(ReadOnlySpan<float>.Empty));
        var scalar = Tensor.From((ReadOnlySpan<float>)[7], []);
        Expect.Shape([], scalar);
        Assert.Equal(7f, scalar.Item());
        Expect.Shape([2, 0], Tensor.From(ReadOnlySpan<float>.Empty, 2, 0));
    }

    [Fact]
    public void From_and_Wrap_name_the_shape_and_the_count_when_they_disagree()
    {
        var from = Assert.Throws<ArgumentException>(() => Tensor.From((ReadOnlySpan<float>)[1, 2, 3, 4, 5], 2, 3));
        Assert.Contains("Shape [2, 3] holds 6 elements, but 5 values were given.", from.Message);
        Assert.Equal("values", from.ParamName);

        var wrap = Assert.Throws<ArgumentException>(() => Tensor.Wrap(new float[7], 2, 3));
        Assert.Contains("Shape [2, 3] holds 6 elements, but 7 values were given.", wrap.Message);
        Assert.Equal("data", wrap.ParamName);

        var negative = Assert.Throws<ArgumentException>(() => Tensor.Wrap(new float[6], -2, -3));
        Assert.Contains("negative dimension -2", negative.Message);
        Assert.Throws<ArgumentNullException>(() => Tensor.Wrap(null!, 1));
    }

    [Fact]
    public void Wrap_shares_the_array_both_ways()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = Tensor.Wrap(data, 2, 3);

        data[4] = 40;
        Assert.Equal(40f, t[1, 1].Item());

        t[0, 2] = 30f;                       // indexed assignment
        t.AddInPlace(Tensor.Ones(3));        // in-place op with broadcasting
        Assert.Equal(new float[] { 2, 3, 31, 5, 41, 7 }, data);

        var row = t[1];                      // a view of the wrapped array
        row.MulInPlace(2f);
        Assert.Equal(new float[] { 2, 3, 31, 10, 82, 14 }, data);

        var sum = t + 1f;                    // out-of-place results have their own storage
        sum.Fill(0f);
        Assert.Equal(2f, data[0]);
        Expect.Shape([6], Tensor.Wrap(data));
    }

    [Fact]
    public void A_parameter_over_a_wrapped_array_is_updated_in_the_array_by_the_optimizer()
    {
        var data = new float[] { 1, 2 };
        var w = new Nn.Parameter(Tensor.Wrap(data, 2));
        var sgd = new Optim.Sgd([w], lr: 0.5f);
        (w * w).Sum().Backward();            // d/dw Σ w² = 2w
        sgd.Step();
        Assert.Equal(new float[] { 0, 0 }, data);
    }

    [Fact]
    public void Autograd_catches_writes_through_the_tensor_but_not_writes_to_the_array()
    {
        // Through the tensor: the version counter sees it and Backward refuses.
        var data = new float[] { 1, 2, 3 };
        var x = Tensor.Wrap(data, 3);
        var w = Tensor.From(new float[] { 1, 1, 1 });
        w.RequiresGrad = true;
        var y = (w * x).Sum();
        x.AddInPlace(Tensor.Ones(3));
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("modified by an inplace operation", error.Message);

        // Straight to the array: the documented blind spot; the gradient uses the new values.
        data = [1, 2, 3];
        x = Tensor.Wrap(data, 3);
        w.Grad = null;
        y = (w * x).Sum();
        data[0] = 10;
        y.Backward();
        Expect.Values([10, 2, 3], w.Grad!);
    }

    [Fact]
    public void AsReadOnlySpan_reads_the_storage_live_including_a_views_own_elements()
    {
        var t = Tensor.Arange(12).Reshape(3, 4);
        var span = t.AsReadOnlySpan();
        Assert.Equal(12, span.Length);
        t.AddInPlace(Tensor.Ones(1));
        Assert.Equal(1f, span[0]);

        var row = t[1];                              // contiguous, offset 4
        Assert.Equal(new float[] { 5, 6, 7, 8 }, row.AsReadOnlySpan().ToArray());
        Assert.Equal(new float[] { 9, 10, 11, 12 }, t[2..].AsReadOnlySpan().ToArray());
        Assert.True(t[1..1].AsReadOnlySpan().IsEmpty);

        var weight = Tensor.Ones(2);
        weight.RequiresGrad = true;
        Assert.Equal(new float[] { 1, 1 }, weight.AsReadOnlySpan().ToArray()); // reading needs no Detach
    }

    [Fact]
    public void AsSpan_writes_into_the_tensor_and_its_views()
    {
        var t = Tensor.Zeros(2, 3);
        var alias = t.Reshape(6);
        var row = t[1].AsSpan();
        row.Fill(5f);
        Expect.Values([0, 0, 0, 5, 5, 5], t);
        Expect.Values([0, 0, 0, 5, 5, 5], alias);
        Assert.True(Tensor.Zeros(0, 3).AsSpan().IsEmpty);
    }

    [Fact]
    public void AsSpan_refuses_a_tensor_that_requires_grad_and_Detach_opens_it()
    {
        var w = Tensor.Ones(3);
        w.RequiresGrad = true;
        var error = Assert.Throws<InvalidOperationException>(() => w.AsSpan());
        Assert.Contains("Can't call AsSpan() on a tensor that requires grad (shape [3])", error.Message);
        Assert.Contains("Detach().AsSpan()", error.Message);

        var product = w * 2f;                        // not a leaf, and requires grad
        Assert.Throws<InvalidOperationException>(() => product.AsSpan());

        w.Detach().AsSpan()[0] = 4f;                 // a hand update of a parameter
        Expect.Values([4, 1, 1], w);
    }

    [Fact]
    public void AsSpan_counts_as_a_write_so_a_graph_that_saved_the_storage_refuses_to_use_it()
    {
        var x = Tensor.From(new float[] { 1, 2, 3 });
        var w = Tensor.Ones(3);
        w.RequiresGrad = true;
        var y = (w * x).Sum();                       // MulBackward0 saved x
        x.AsSpan()[0] = 10f;
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("modified by an inplace operation", error.Message);

        var z = (w * x).Sum();                       // reading does not bump the version
        _ = x.AsReadOnlySpan()[0];
        z.Backward();
        Expect.Values([10, 2, 3], w.Grad!);
    }

    [Fact]
    public void The_spans_refuse_non_contiguous_views_naming_shape_strides_and_the_fix()
    {
        var t = Tensor.Arange(6).Reshape(2, 3);
        var transposed = Assert.Throws<InvalidOperationException>(() => t.T.AsReadOnlySpan());
        Assert.Contains("AsReadOnlySpan() needs a contiguous tensor, but this one has shape [3, 2] and strides [1, 3]", transposed.Message);
        Assert.Contains(".Contiguous()", transposed.Message);

        var expanded = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(1, 3).Expand(4, 3).AsSpan());
        Assert.Contains("shape [4, 3] and strides [0, 1]", expanded.Message);

        Assert.Throws<InvalidOperationException>(() => t[.., 1..].AsSpan());
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, t.T.Contiguous().AsReadOnlySpan().ToArray());
    }

    [Fact]
    public void CopyTo_gathers_any_view_in_row_major_order_and_leaves_the_rest_of_the_destination()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        var views = new[]
        {
            t, t.Permute(2, 0, 1), t[.., 1..3, ..2], t.Transpose(0, 2)[1..], t[0, .., 1..].T,
            Tensor.From(new float[] { 5, 6 }).Reshape(2, 1).Expand(2, 3), t.Flip(1), t[1, 2, 3], t[.., 1..1],
        };
        foreach (var view in views)
        {
            var destination = Enumerable.Repeat(-1f, view.NumElements + 3).ToArray();
            view.CopyTo(destination);
            Assert.Equal(view.ToArray(), destination[..view.NumElements]);
            Assert.Equal([-1f, -1f, -1f], destination[view.NumElements..]);
            Assert.Equal(ExpectedRowMajor(view), destination[..view.NumElements]);
        }
    }

    [Fact]
    public void CopyTo_into_the_tensors_own_storage_reads_every_element_before_writing()
    {
        var data = Enumerable.Range(0, 6).Select(i => (float)i).ToArray();
        var t = Tensor.Wrap(data, 2, 3);
        t.T.CopyTo(data);                            // the transpose, written over what it reads
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, data);

        var shifted = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
        Tensor.Wrap(shifted, 8)[2..].CopyTo(shifted); // contiguous overlap, like Span.CopyTo
        Assert.Equal(new float[] { 2, 3, 4, 5, 6, 7, 6, 7 }, shifted);
    }

    [Fact]
    public void CopyTo_names_both_lengths_when_the_destination_is_too_short()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).CopyTo(new float[5]));
        Assert.Contains("the tensor of shape [2, 3] has 6 elements, but the destination holds 5", error.Message);
        Assert.Equal("destination", error.ParamName);
        Tensor.Zeros(0, 3).CopyTo(Span<float>.Empty);
    }

    /// <summary>The elements read one by one through the indexer, in row-major order.</summary>
    private static float[] ExpectedRowMajor(Tensor view)
    {
        var shape = view.Shape;
        var result = new float[view.NumElements];
        var index = new int[shape.Length];
        for (var n = 0; n < result.Length; n++)
        {
            var element = view;
            foreach (var i in index)
            {
                element = element[i];
            }

            result[n] = element.Item();
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return result;
    }

    [Fact]
    public void Copies_between_two_wraps_of_one_array_read_before_they_write()
    {
        var array = new float[] { 0, 1, 2, 3, 4, 5, 6, 7 };
        var (a, b) = (Tensor.Wrap(array), Tensor.Wrap(array));
        a[1..].CopyFrom(b[..7]); // overlapping, shifted by one: a forward loop would smear array[0]
        Assert.Equal([0f, 0, 1, 2, 3, 4, 5, 6], array);

        var square = new float[] { 1, 2, 3, 4 };
        Tensor.Wrap(square, 2, 2).CopyFrom(Tensor.Wrap(square, 2, 2).T);
        Assert.Equal([1f, 3, 2, 4], square);
    }
}
