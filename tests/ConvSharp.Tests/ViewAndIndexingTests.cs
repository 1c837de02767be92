using ConvSharp.Tests.Support;

namespace ConvSharp.Tests;

public class ViewAndIndexingTests
{
    private static Tensor Grid() => Tensor.Arange(12).Reshape(3, 4);

    [Fact]
    public void Reshape_infers_minus_one_and_shares_storage_when_contiguous()
    {
        var x = Grid();
        var r = x.Reshape(2, -1);
        Expect.Shape([2, 6], r);
        r[0, 0] = 100;
        Assert.Equal(100f, x[0, 0].Item());
        Expect.Shape([12], x.Reshape(-1));
        Expect.Shape([1, 1, 3, 4], x.Reshape(1, 1, 3, 4));
    }

    [Fact]
    public void Reshape_of_a_transposed_view_copies_in_logical_order()
    {
        var t = Grid().T;
        Assert.False(t.IsContiguous);
        Expect.Values([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], t.Reshape(-1));
    }

    [Fact]
    public void Transpose_permute_and_T_are_views()
    {
        var x = Grid();
        var t = x.T;
        Expect.Shape([4, 3], t);
        Assert.Equal(x[1, 2].Item(), t[2, 1].Item());
        t[3, 0] = -1;
        Assert.Equal(-1f, x[0, 3].Item());

        var cube = Tensor.Arange(24).Reshape(2, 3, 4);
        var p = cube.Permute(2, 0, 1);
        Expect.Shape([4, 2, 3], p);
        Assert.Equal(cube[1, 2, 3].Item(), p[3, 1, 2].Item());
        Assert.Equal(cube[1, 2, 3].Item(), cube.Transpose(0, 2)[3, 2, 1].Item());
        Assert.Equal(cube[1, 2, 3].Item(), cube.Transpose(-1, 0)[3, 2, 1].Item());
    }

    [Fact]
    public void Squeeze_and_unsqueeze_add_and_remove_unit_dimensions()
    {
        var x = Tensor.Zeros(1, 3, 1, 2);
        Expect.Shape([3, 2], x.Squeeze());
        Expect.Shape([3, 1, 2], x.Squeeze(0));
        Expect.Shape([1, 3, 1, 2], x.Squeeze(1));
        Expect.Shape([1, 3, 1, 2, 1], x.Unsqueeze(-1));
        Expect.Shape([3, 1, 2], x.Squeeze(0).Unsqueeze(1).Squeeze(2));
        Expect.Shape([1], Tensor.Scalar(1).Unsqueeze(0));
    }

    [Fact]
    public void Expand_broadcasts_without_copying_and_refuses_writes()
    {
        var column = Tensor.From(new float[,] { { 1 }, { 2 } });
        var e = column.Expand(2, 3);
        Expect.Values([1, 1, 1, 2, 2, 2], e);
        Expect.Shape([4, 2, 3], column.Expand(4, -1, 3));
        Assert.Throws<InvalidOperationException>(() => e[0] = 5);
        Assert.Throws<InvalidOperationException>(() => e.Fill(5));
        var error = Assert.Throws<ArgumentException>(() => column.Expand(3, 3));
        Assert.Contains("must match the existing size (2) at non-singleton dimension 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flip_reverses_the_given_dimensions()
    {
        var x = Grid();
        Expect.Values([3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8], x.Flip(1));
        Expect.Values([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], x.Flip(0, 1));
        Assert.True(Tensor.Equal(x, x.Flip(0).Flip(0)));
    }

    [Fact]
    public void Indexing_with_integers_ranges_and_from_end_indices()
    {
        var x = Grid();
        Expect.Values([4, 5, 6, 7], x[1]);
        Expect.Values([8, 9, 10, 11], x[-1]);
        Expect.Values([8, 9, 10, 11], x[^1]);
        Expect.Values([1, 2, 5, 6, 9, 10], x[.., 1..3]);
        Expect.Values([6, 7], x[1, 2..]);
        Expect.Values([3, 7, 11], x[.., ^1]);
        Expect.Shape([3, 4], x[..]);
        Expect.Shape([3, 0], x[.., 3..1]);
        Expect.Values([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], x[..100]);
        Expect.Values([3, 7, 11], x[TensorIndex.Ellipsis, 3]);
        Expect.Shape([3, 1, 4], x[.., TensorIndex.NewAxis]);
    }

    [Fact]
    public void Assignment_through_an_index_writes_into_the_tensor()
    {
        // The chapter's X[:, 2:6] = 0.
        var X = Tensor.Ones(6, 8);
        X[.., 2..6] = 0;
        Expect.Values([1, 1, 0, 0, 0, 0, 1, 1], X[3]);

        var y = Tensor.Zeros(2, 3);
        y[1] = Tensor.From(new float[] { 1, 2, 3 });
        y[0, ..] = Tensor.From(new float[,] { { 4, 5, 6 } });
        Expect.Values([4, 5, 6, 1, 2, 3], y);

        // Overlapping source and destination: the source is read before anything is written.
        var z = Tensor.Arange(5);
        z[1..] = z[..4];
        Expect.Values([0, 0, 1, 2, 3], z);
    }

    [Fact]
    public void Clone_and_contiguous_copy_in_logical_order()
    {
        var x = Grid();
        var c = x.Clone();
        c[0, 0] = 42;
        Assert.Equal(0f, x[0, 0].Item());
        Assert.Same(x, x.Contiguous());
        var t = x.T.Contiguous();
        Assert.True(t.IsContiguous);
        Expect.Values([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], t);
    }

    [Fact]
    public void Size_wraps_negative_dimensions()
    {
        var x = Tensor.Zeros(2, 3, 4);
        Assert.Equal(4, x.Size(-1));
        Assert.Equal(3, x.Rank);
        Assert.Equal(24, x.NumElements);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Size(3));
    }
}
