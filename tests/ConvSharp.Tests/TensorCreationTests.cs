using ConvSharp.Tests.Support;

namespace ConvSharp.Tests;

public class TensorCreationTests
{
    [Fact]
    public void From_copies_rectangular_arrays_in_row_major_order()
    {
        var x = Tensor.From(new float[,] { { 0, 1, 2 }, { 3, 4, 5 } });
        Expect.Shape([2, 3], x);
        Expect.Values([0, 1, 2, 3, 4, 5], x);

        var v = Tensor.From(new float[] { 7, 8 });
        Expect.Shape([2], v);

        var four = Tensor.From(new float[1, 2, 1, 2] { { { { 1, 2 } }, { { 3, 4 } } } });
        Expect.Shape([1, 2, 1, 2], four);
        Expect.Values([1, 2, 3, 4], four);

        var three = Tensor.From(new float[2, 1, 2] { { { 1, 2 } }, { { 3, 4 } } });
        Expect.Shape([2, 1, 2], three);
    }

    [Fact]
    public void From_copies_so_later_changes_to_the_array_do_not_leak()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = Tensor.FromArray(data, 2, 3);
        data[0] = 100;
        Assert.Equal(1f, t[0, 0].Item());
    }

    [Fact]
    public void Constant_factories_fill_every_element()
    {
        Expect.Values([0, 0, 0, 0], Tensor.Zeros(2, 2));
        Expect.Values([1, 1, 1], Tensor.Ones(3));
        Expect.Values([2.5f, 2.5f], Tensor.Full([1, 2], 2.5f));
        Expect.Shape([0, 3], Tensor.Zeros(0, 3));
        Expect.Shape([], Tensor.Scalar(4));
        Assert.Equal(4f, Tensor.Scalar(4).Item());
    }

    [Fact]
    public void Arange_matches_torch_arange()
    {
        Expect.Values([0, 1, 2, 3, 4], Tensor.Arange(5));
        Expect.Values([1, 3, 5], Tensor.Arange(1, 7, 2));
        Expect.Values([5, 4, 3], Tensor.Arange(5, 2, -1));
        Expect.Values([0, 0.5f, 1, 1.5f], Tensor.Arange(0, 2, 0.5f));
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0));
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 5, -1));
    }

    [Fact]
    public void ToArray2D_and_Item_read_values_back()
    {
        var x = Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(new float[,] { { 1, 2 }, { 3, 4 } }, x.ToArray2D());
        Assert.Equal(3f, x[1, 0].Item());
        var error = Assert.Throws<InvalidOperationException>(() => x.Item());
        Assert.Contains("4 elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_and_mismatched_shapes_are_rejected_with_the_shape_named()
    {
        var negative = Assert.Throws<ArgumentException>(() => Tensor.Zeros(-1, 3));
        Assert.Contains("negative dimension -1: [-1, 3]", negative.Message, StringComparison.Ordinal);
        var mismatch = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1, 2, 3], 2, 2));
        Assert.Contains("[2, 2] holds 4 elements, but 3 values were given", mismatch.Message, StringComparison.Ordinal);
        var huge = Assert.Throws<ArgumentException>(() => Tensor.Zeros(100000, 100000));
        Assert.Contains("more elements than a .NET array can hold", huge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllClose_and_Equal_compare_values_and_shapes()
    {
        var a = Tensor.From(new float[] { 1, 2, 3 });
        Assert.True(Tensor.AllClose(a, a + 1e-7f));
        Assert.False(Tensor.AllClose(a, a + 1e-3f));
        Assert.True(Tensor.AllClose(a, a + 1e-3f, rtol: 0, atol: 2e-3f));
        Assert.True(Tensor.Equal(a, a.Clone()));
        Assert.False(Tensor.Equal(a, a.Reshape(1, 3)));
    }
}
