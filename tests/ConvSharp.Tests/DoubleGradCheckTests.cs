using ConvSharp.Compute.Reference;
using ConvSharp.Convolution;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests;

/// <summary>Every convolution op and padding mode: backward against finite differences, in double precision.</summary>
[Trait("Category", "GradCheck")]
public class DoubleGradCheckTests
{
    public static TheoryData<string, int, int, int, int, int, int, PaddingMode> ConvCases()
    {
        var data = new TheoryData<string, int, int, int, int, int, int, PaddingMode>();
        foreach (var mode in Enum.GetValues<PaddingMode>())
        {
            // name, C, OC, kernel, stride, dilation, groups, mode
            data.Add($"plain {mode}", 2, 3, 3, 1, 1, 1, mode);
            data.Add($"strided dilated {mode}", 2, 2, 2, 2, 2, 1, mode);
            data.Add($"grouped {mode}", 4, 2, 3, 1, 1, 2, mode);
            data.Add($"depthwise {mode}", 3, 3, 2, 1, 1, 3, mode);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_backward_is_the_derivative_of_its_forward(string name, int c, int oc, int k, int stride, int dilation, int groups, PaddingMode mode)
    {
        var padding = Padding.Explicit(2, 1, 1, 2);
        var input = new[] { 2, c, 5, 4 };
        var weight = new[] { oc, c / groups, k, k };
        var g = ConvGeometries.Conv2d(input, weight, [oc], (stride, stride), padding, (dilation, dilation), groups);

        // With a padding mode, the convolution sees the padded input and no padding of its own.
        var rows = Pad.SourceIndices(5, 2, 1, mode, input, 2);
        var cols = Pad.SourceIndices(4, 1, 2, mode, input, 3);
        var inner = g with { H = rows.Length, W = cols.Length, PadTop = 0, PadBottom = 0, PadLeft = 0, PadRight = 0 };
        var paddedLength = 2 * c * rows.Length * cols.Length;

        double[] Forward(double[][] x)
        {
            var padded = new double[paddedLength];
            Pad.Gather<double>(x[0], 5, 4, rows, cols, 0, padded);
            var y = new double[g.N * g.OC * g.OH * g.OW];
            ConvReference.Forward<double>(inner, padded, x[1], x[2], y);
            return y;
        }

        double[][] Backward(double[][] x, double[] gy)
        {
            var padded = new double[paddedLength];
            Pad.Gather<double>(x[0], 5, 4, rows, cols, 0, padded);
            var gPadded = new double[paddedLength];
            ConvReference.BackwardInput<double>(inner, gy, x[1], gPadded);
            var gx = new double[x[0].Length];
            Pad.Scatter<double>(gPadded, 5, 4, rows, cols, gx);
            var gw = new double[x[1].Length];
            ConvReference.BackwardWeight<double>(inner, gy, padded, gw);
            var gb = new double[oc];
            ConvReference.BackwardBias<double>(inner, gy, gb);
            return [gx, gw, gb];
        }

        DoubleGradCheck.Check(
            Forward, Backward,
            [DoubleGradCheck.Random(2 * c * 20, 1), DoubleGradCheck.Random(oc * (c / groups) * k * k, 2), DoubleGradCheck.Random(oc, 3)],
            name);
    }

    [Theory]
    [InlineData(1, 0, 0, 1, 1)]
    [InlineData(2, 1, 1, 1, 1)]
    [InlineData(3, 1, 2, 2, 1)]
    [InlineData(2, 0, 1, 2, 2)]
    public void ConvTranspose2d_backward_is_the_derivative_of_its_forward(int stride, int padding, int outputPadding, int dilation, int groups)
    {
        var (cin, oc, k) = (2 * groups, 2 * groups, 3);
        var input = new[] { 1, cin, 3, 4 };
        var weight = new[] { cin, oc / groups, k, k };
        var g = ConvGeometries.ConvTranspose2d(input, weight, [oc], stride, padding, outputPadding, dilation, groups);
        var outputLength = g.N * g.C * g.H * g.W;
        var plane = g.H * g.W;

        double[] Forward(double[][] x)
        {
            var y = new double[outputLength];
            ConvReference.BackwardInput<double>(g, x[0], x[1], y);
            for (var i = 0; i < y.Length; i++)
            {
                y[i] += x[2][i / plane % oc];
            }

            return y;
        }

        double[][] Backward(double[][] x, double[] gy)
        {
            var gx = new double[x[0].Length];
            ConvReference.Forward<double>(g, gy, x[1], default, gx);
            var gw = new double[x[1].Length];
            ConvReference.BackwardWeight<double>(g, x[0], gy, gw);
            var gb = new double[oc];
            for (var i = 0; i < gy.Length; i++)
            {
                gb[i / plane % oc] += gy[i];
            }

            return [gx, gw, gb];
        }

        DoubleGradCheck.Check(
            Forward, Backward,
            [DoubleGradCheck.Random(cin * 12, 4), DoubleGradCheck.Random(weight.Aggregate(1, (a, b) => a * b), 5), DoubleGradCheck.Random(oc, 6)],
            $"conv_transpose2d s{stride} p{padding} op{outputPadding} d{dilation} g{groups}");
    }

    [Theory]
    [InlineData(2, 1, 0, 1)]
    [InlineData(3, 2, 1, 2)]
    [InlineData(2, 1, 2, 3)]
    public void Unfold_and_fold_are_each_others_adjoint_and_derivative(int kernel, int dilation, int padding, int stride)
    {
        var g = ConvGeometries.ForWindows([2, 2, 5, 6], kernel, dilation, (padding, padding), stride);
        var offsets = Im2col.SourceOffsets(g);
        var imageLength = 2 * 2 * 5 * 6;

        DoubleGradCheck.Check(
            x =>
            {
                var columns = new double[offsets.Length];
                Im2col.Gather<double>(offsets, x[0], columns);
                return columns;
            },
            (x, gy) =>
            {
                var gx = new double[imageLength];
                Im2col.ScatterAdd<double>(offsets, gy, gx);
                return [gx];
            },
            [DoubleGradCheck.Random(imageLength, 7)], $"unfold k{kernel} d{dilation} p{padding} s{stride}");

        DoubleGradCheck.Check(
            x =>
            {
                var image = new double[imageLength];
                Im2col.ScatterAdd<double>(offsets, x[0], image);
                return image;
            },
            (x, gy) =>
            {
                var gx = new double[offsets.Length];
                Im2col.Gather<double>(offsets, gy, gx);
                return [gx];
            },
            [DoubleGradCheck.Random(offsets.Length, 8)], $"fold k{kernel} d{dilation} p{padding} s{stride}");
    }

    [Theory]
    [InlineData(PaddingMode.Zeros)]
    [InlineData(PaddingMode.Reflect)]
    [InlineData(PaddingMode.Replicate)]
    [InlineData(PaddingMode.Circular)]
    [InlineData(PaddingMode.Symmetric)]
    public void Pad_backward_is_the_derivative_of_its_forward(PaddingMode mode)
    {
        int[] shape = [2, 4, 5];
        var rows = Pad.SourceIndices(4, 3, 2, mode, shape, 1);
        var cols = Pad.SourceIndices(5, 1, 4, mode, shape, 2);
        DoubleGradCheck.Check(
            x =>
            {
                var y = new double[2 * rows.Length * cols.Length];
                Pad.Gather<double>(x[0], 4, 5, rows, cols, 0.5, y);
                return y;
            },
            (x, gy) =>
            {
                var gx = new double[40];
                Pad.Scatter<double>(gy, 4, 5, rows, cols, gx);
                return [gx];
            },
            [DoubleGradCheck.Random(40, 9)], $"pad {mode}");
    }
}
