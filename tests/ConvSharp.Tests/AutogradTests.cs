using ConvSharp.Nn;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

public class AutogradTests
{
    private static Tensor Leaf(params float[] values)
    {
        var t = Tensor.From(values);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void The_design_example_computes_the_gradient()
    {
        // s = Σ (t − 2t)² = Σ t², so ds/dt = 2t.
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        t.RequiresGrad = true;
        var s = (t - (t * 2f)).Pow(2).Sum();
        s.Backward();
        Expect.Values([2, 4, 6, 8, 10, 12], t.Grad!);
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_cleared()
    {
        var x = Leaf(1, 2);
        (x * 3f).Sum().Backward();
        (x * 3f).Sum().Backward();
        Expect.Values([6, 6], x.Grad!);
        x.Grad = null;
        (x * x).Sum().Backward();
        Expect.Values([2, 4], x.Grad!);
    }

    [Fact]
    public void Shared_subexpressions_sum_their_gradients()
    {
        // y = a·b + a: dy/da = b + 1, dy/db = a, with a used twice.
        var a = Leaf(2, 3);
        var b = Leaf(5, 7);
        var y = (a * b) + a;
        y.Sum().Backward();
        Expect.Values([6, 8], a.Grad!);
        Expect.Values([2, 3], b.Grad!);
    }

    [Fact]
    public void Gradients_of_two_leaves_fed_the_same_tensor_do_not_alias()
    {
        var a = Leaf(1);
        var b = Leaf(1);
        (a + b).Sum().Backward();
        a.Grad!.AddInPlace(Tensor.Ones(1));
        Expect.Values([1], b.Grad!);
    }

    [Fact]
    public void Backward_on_a_non_scalar_needs_a_gradient()
    {
        var x = Leaf(1, 2, 3);
        var y = x * 2f;
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("grad can be implicitly created only for scalar outputs", error.Message, StringComparison.Ordinal);
        Assert.Contains("[3]", error.Message, StringComparison.Ordinal);
        y.Backward(Tensor.From(new float[] { 1, 0, -1 }));
        Expect.Values([2, 0, -2], x.Grad!);
        Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones(2)));
    }

    [Fact]
    public void Backward_without_a_graph_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(1).Sum().Backward());
        Assert.Contains("does not require grad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoGrad_records_nothing_and_restores_the_mode()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (Tensor.NoGrad())
        {
            Assert.False(Tensor.IsGradEnabled);
            y = x * 2f;
            using (Tensor.EnableGrad())
            {
                Assert.True((x * 2f).RequiresGrad);
            }

            Assert.False(Tensor.IsGradEnabled);
        }

        Assert.True(Tensor.IsGradEnabled);
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
        Assert.True((x * 2f).RequiresGrad);
    }

    [Fact]
    public void Detach_shares_storage_but_leaves_the_graph()
    {
        var x = Leaf(1, 2);
        var d = x.Detach();
        Assert.False(d.RequiresGrad);
        using (Tensor.NoGrad())
        {
            d[0] = 10;
        }

        Assert.Equal(10f, x[0].Item());
    }

    [Fact]
    public void Parameters_update_in_place_as_in_the_book()
    {
        var w = new Parameter(Tensor.From(new float[] { 1, 2 }));
        (w * w).Sum().Backward();

        // weight.data[:] -= lr * weight.grad
        w.Data[..] -= 0.5f * w.Grad!;
        Expect.Values([0, 0], w);

        // or under no_grad
        w.Grad = null;
        (w + 1f).Sum().Backward();
        using (Tensor.NoGrad())
        {
            w.SubInPlace(w.Grad!);
        }

        Expect.Values([-1, -1], w);
        Assert.True(w.IsLeaf);
    }

    [Fact]
    public void In_place_change_of_a_leaf_that_requires_grad_is_refused_outside_NoGrad()
    {
        var w = new Parameter(Tensor.Ones(2));
        var error = Assert.Throws<InvalidOperationException>(() => w[0] = 5);
        Assert.Contains("a leaf Variable that requires grad is being used in an in-place operation", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => w.AddInPlace(Tensor.Ones(2)));
    }

    [Fact]
    public void Changing_a_tensor_that_backward_still_needs_is_caught()
    {
        var w = Leaf(1, 2);
        var x = Tensor.From(new float[] { 3, 4 });
        var y = (w * x).Sum();
        x[0] = 100;
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("modified by an inplace operation", error.Message, StringComparison.Ordinal);
        Assert.Contains("is at version 1; expected version 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_saved_output_is_caught_too()
    {
        var x = Leaf(1, 2);
        var y = x.Exp();
        var z = y.Sum();
        using (Tensor.NoGrad())
        {
            y.MulInPlace(2f);
        }

        Assert.Throws<InvalidOperationException>(() => z.Backward());
    }

    [Fact]
    public void The_books_corr2d_written_with_index_assignment_has_the_right_gradients()
    {
        // Y = torch.zeros(...); Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
        static Tensor BookCorr2d(Tensor X, Tensor K)
        {
            var (h, w) = (K.Size(0), K.Size(1));
            var Y = Tensor.Zeros(X.Size(0) - h + 1, X.Size(1) - w + 1);
            for (var i = 0; i < Y.Size(0); i++)
            {
                for (var j = 0; j < Y.Size(1); j++)
                {
                    Y[i, j] = (X[i..(i + h), j..(j + w)] * K).Sum();
                }
            }

            return Y;
        }

        var data = new TestData(9);
        var x1 = data.Normal(4, 5);
        var k1 = data.Normal(2, 3);
        x1.RequiresGrad = k1.RequiresGrad = true;
        var x2 = x1.Detach().Clone();
        var k2 = k1.Detach().Clone();
        x2.RequiresGrad = k2.RequiresGrad = true;

        var book = BookCorr2d(x1, k1);
        var library = F.Corr2d(x2, k2);
        Expect.Close(library, book);
        Assert.Equal("CopySlices", book.GradFn!.Name);
        var upstream = data.Normal(3, 3);
        book.Backward(upstream);
        library.Backward(upstream);
        Expect.Close(x2.Grad!, x1.Grad);
        Expect.Close(k2.Grad!, k1.Grad);
    }

    [Fact]
    public void Writing_into_a_view_while_recording_is_refused_clearly()
    {
        var x = Leaf(1, 2, 3, 4);
        var y = x * 1f;
        var view = y.Reshape(2, 2);
        var error = Assert.Throws<NotSupportedException>(() => view[0] = x[..2]);
        Assert.Contains("view", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Requires_grad_cannot_be_switched_off_on_a_non_leaf()
    {
        var y = Leaf(1) * 2f;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.False(y.IsLeaf);
        Assert.Equal("MulBackward0", y.GradFn!.Name);
        Assert.Single(y.GradFn.NextFunctions);
    }

    [Fact]
    public void A_deep_graph_does_not_overflow_the_stack()
    {
        var x = Leaf(1);
        var y = x;
        for (var i = 0; i < 20000; i++)
        {
            y = y + 1f;
        }

        y.Sum().Backward();
        Expect.Values([1], x.Grad!);
    }

    [Fact]
    public void Broadcast_gradients_sum_back_to_the_input_shape()
    {
        var row = Leaf(1, 2, 3);
        var column = Tensor.From(new float[,] { { 1 }, { 2 } });
        column.RequiresGrad = true;
        (row * column).Sum().Backward();
        Expect.Values([3, 3, 3], row.Grad!);
        Expect.Values([6, 6], column.Grad!);
        Expect.Shape([2, 1], column.Grad!);
    }
}

/// <summary>The checkers themselves must be able to fail.</summary>
public class CheckerTests
{
    /// <summary>y = 2x with a deliberately wrong backward (3 instead of 2).</summary>
    private sealed class WrongBackward : Autograd.Node
    {
        internal override Tensor?[] Apply(Tensor gradOutput) => [gradOutput * 3f];
    }

    [Fact]
    public void GradCheck_catches_a_wrong_gradient()
    {
        static Tensor Doubled(Tensor x) => Tensor.Record(x.Detach() * 2f, () => new WrongBackward(), x);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(
            () => GradCheck.Check(t => Doubled(t[0]), [Tensor.From(new float[] { 1, 2 })]));
    }

    [Fact]
    public void Double_gradcheck_catches_a_wrong_gradient()
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DoubleGradCheck.Check(
            x => [.. x[0].Select(v => 2 * v)],
            (x, g) => [[.. g.Select(v => 3 * v)]],
            [[1.0, 2.0]],
            "wrong on purpose"));
    }

    [Fact]
    public void Expect_close_reports_the_worst_element()
    {
        var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(
            () => Expect.Close(Tensor.From(new float[] { 1, 2, 3 }), Tensor.From(new float[] { 1, 2.5f, 3 })));
        Assert.Contains("element 1 is 2.5, expected 2", error.Message, StringComparison.Ordinal);
    }
}
