using ConvSharp.Nn;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>
/// The call forms of DESIGN.md's API section, as written there: if one stops compiling, code
/// written against the design breaks too. Each result is checked for its shape.
/// </summary>
[Collection(GlobalGeneratorTests.Name)]
public class DesignApiTests
{
    [Fact]
    public void The_tensor_calls_of_the_design_compile_and_behave()
    {
        var X = Tensor.From(new float[,] { { 0, 1, 2 }, { 3, 4, 5 }, { 6, 7, 8 } });
        var K = Tensor.From(new float[,] { { 0, 1 }, { 2, 3 } });
        Assert.Equal("tensor([[19., 25.],\n        [37., 43.]])", F.Corr2d(X, K).ToString());
        var img = Tensor.Ones(6, 8);
        img[.., 2..6] = 0;
        var t = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        float[] flat = t.ToArray();
        int[] shape = t.Shape;
        var y = t.T;
        var r = t.Reshape(1, 1, 2, 3);
        var p = r.Transpose(2, 3);
        var z = r.Squeeze();
        var u = z.Unsqueeze(0);
        var q = r.Permute(0, 1, 3, 2);
        t.RequiresGrad = true;
        var s = (t - (t * 2f)).Pow(2).Sum();
        s.Backward();
        Tensor? g = t.Grad;
        using (Tensor.NoGrad())
        {
            Assert.False(Tensor.IsGradEnabled);
        }

        var a = Tensor.Ones(2);
        var b = a.Clone();
        bool same = Tensor.AllClose(a, b, rtol: 1e-5f, atol: 1e-6f);
        Rng.ManualSeed(42);
        var w0 = Tensor.Rand(2, 3);
        var w1 = Tensor.Randn(2, 3);

        Assert.Equal(6, flat.Length);
        Assert.Equal([2, 3], shape);
        Expect.Shape([3, 2], y);
        Expect.Shape([1, 1, 3, 2], p);
        Expect.Shape([2, 3], z);
        Expect.Shape([1, 2, 3], u);
        Expect.Shape([1, 1, 3, 2], q);
        Expect.Values([2, 4, 6, 8, 10, 12], g!);
        Assert.True(same);
        Expect.Shape([2, 3], w0);
        Expect.Shape([2, 3], w1);
        Assert.Equal(0f, img[0, 3].Item());
    }

    [Fact]
    public void The_convolution_calls_of_the_design_compile_and_behave()
    {
        var data = new TestData(1);
        var x = data.Normal(2, 4, 8, 8);
        var w = data.Normal(4, 4, 3, 3);
        var b = data.Normal(4);
        Expect.Shape([2, 4, 6, 6], F.Conv2d(x, w));
        Expect.Shape([2, 4, 4, 4], F.Conv2d(x, w, b, stride: 2, padding: 1));
        Expect.Shape([2, 4, 3, 4], F.Conv2d(x, data.Normal(4, 1, 3, 3), b, stride: (2, 1), padding: (1, 0), dilation: (2, 2), groups: 4));
        Expect.Shape([2, 4, 8, 8], F.Conv2d(x, w, null, padding: Padding.Same));
        Expect.Shape([2, 4, 6, 6], F.Conv2d(x, w, null, padding: Padding.Valid));
        Expect.Shape([2, 4, 8, 8], F.Conv2d(x, w, b, padding: 1, paddingMode: PaddingMode.Reflect));
        Expect.Shape([2, 4, 4, 4], F.Conv2d(x, w, b, stride: 2, padding: Padding.Same));
        Expect.Shape([2, 4, 7, 7], F.Conv2d(x, w, b, padding: Padding.Explicit(top: 0, bottom: 1, left: 0, right: 1)));
        Expect.Shape([2, 4, 16, 16], F.ConvTranspose2d(x, w, b, stride: 2, padding: 1, outputPadding: 1, groups: 1, dilation: 1));
        var cols = F.Unfold(x, kernelSize: (2, 2), dilation: 1, padding: 0, stride: 1);
        Expect.Shape([2, 16, 49], cols);
        Expect.Shape([2, 4, 8, 8], F.Fold(cols, outputSize: (8, 8), kernelSize: (2, 2)));
        Expect.Shape([2, 4, 12, 10], F.Pad(x, (1, 1, 2, 2), PaddingMode.Reflect));
        var yHat = data.Normal(3);
        Expect.Shape([], F.MseLoss(yHat, data.Normal(3)));
    }

    [Fact]
    public void The_layer_calls_of_the_design_compile_and_behave()
    {
        var X4 = Tensor.Ones(1, 1, 6, 8);
        var conv = new Conv2d(inChannels: 1, outChannels: 1, kernelSize: (1, 2), bias: false);
        var yHat = conv.Forward(X4);
        Parameter weight = conv.Weight;
        Parameter? bias = conv.Bias;
        conv.ZeroGrad();
        var opt = new ConvSharp.Optim.Sgd(conv.Parameters(), lr: 3e-2f);
        yHat.Sum().Backward();
        opt.Step();
        opt.ZeroGrad();
        Expect.Shape([1, 1, 6, 7], yHat);
        Expect.Shape([1, 1, 1, 2], weight);
        Assert.Null(bias);
        Assert.Null(weight.Grad);
    }
}
