using ConvSharp.Nn;
using ConvSharp.Optim;
using ConvSharp.Tests.Support;
using F = ConvSharp.Functional;

namespace ConvSharp.Tests;

/// <summary>One test per rule: the exception type and the words of the message.</summary>
public class BadInputTests
{
    private static void Fails(Action action, params string[] fragments)
    {
        var error = Assert.ThrowsAny<ArgumentException>(action);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Corr2d_rejects_wrong_ranks_empty_and_oversized_kernels()
    {
        Fails(() => F.Corr2d(Tensor.Rand(1, 5, 5), Tensor.Ones(3, 3)), "2-D input X", "[1, 5, 5]");
        Fails(() => F.Corr2d(Tensor.Ones(5, 5), Tensor.Ones(3)), "2-D kernel K", "[3]");
        Fails(() => F.Corr2d(Tensor.Ones(2, 2), Tensor.Ones(3, 3)), "[3, 3] is larger than the input X of shape [2, 2]");
        Fails(() => F.Corr2d(Tensor.Ones(2, 2), Tensor.Ones(0, 1)), "[0, 1] is empty");
    }

    [Fact]
    public void Conv2d_rejects_a_wrong_input_rank()
    {
        Fails(() => F.Conv2d(Tensor.Ones(5, 5), Tensor.Ones(1, 1, 3, 3)),
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [5, 5]");
    }

    [Fact]
    public void Conv2d_rejects_a_channel_mismatch_in_pytorchs_words()
    {
        Fails(() => F.Conv2d(Tensor.Ones(1, 3, 5, 5), Tensor.Ones(4, 2, 3, 3)),
            "Given groups=1, weight of size [4, 2, 3, 3], expected input[1, 3, 5, 5] to have 2 channels, but got 3 channels instead");
    }

    [Fact]
    public void Conv2d_rejects_a_kernel_larger_than_the_padded_input()
    {
        Fails(() => F.Conv2d(Tensor.Ones(1, 1, 2, 2), Tensor.Ones(1, 1, 3, 3)),
            "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size");
        Fails(() => F.Conv2d(Tensor.Ones(1, 1, 4, 4), Tensor.Ones(1, 1, 3, 3), dilation: 2),
            "Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5).");
    }

    [Fact]
    public void Conv2d_rejects_bad_groups_bias_and_weight_shapes()
    {
        Fails(() => F.Conv2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(3, 2, 3, 3), groups: 2),
            "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [3, 2, 3, 3] instead");
        Fails(() => F.Conv2d(Tensor.Ones(1, 2, 5, 5), Tensor.Ones(4, 2, 3, 3), Tensor.Ones(3)),
            "Given weight of size [4, 2, 3, 3], expected bias to be 1-dimensional with 4 elements, but got bias of size [3] instead");
        Fails(() => F.Conv2d(Tensor.Ones(1, 2, 5, 5), Tensor.Ones(2, 3, 3)),
            "Expected 4-dimensional weight for 4-dimensional input [1, 2, 5, 5], but got 3-dimensional weight of size [2, 3, 3] instead");
        Fails(() => F.Conv2d(Tensor.Ones(1, 1, 5, 5), Tensor.Ones(1, 1, 0, 3)), "[1, 1, 0, 3] is empty");
    }

    [Fact]
    public void Conv2d_rejects_non_positive_stride_dilation_groups_and_negative_padding()
    {
        var x = Tensor.Ones(1, 1, 5, 5);
        var w = Tensor.Ones(1, 1, 3, 3);
        Fails(() => F.Conv2d(x, w, stride: 0), "non-positive stride is not supported");
        Fails(() => F.Conv2d(x, w, stride: (1, -1)), "non-positive stride is not supported");
        Fails(() => F.Conv2d(x, w, dilation: 0), "dilation should be greater than zero, but got dilation_height: 0, dilation_width: 0");
        Fails(() => F.Conv2d(x, w, groups: 0), "non-positive groups is not supported");
        Fails(() => F.Conv2d(x, w, padding: -1), "negative padding is not supported");
    }

    [Fact]
    public void Reflect_padding_must_be_smaller_than_the_input()
    {
        Fails(() => F.Conv2d(Tensor.Ones(1, 1, 3, 3), Tensor.Ones(1, 1, 3, 3), padding: 3, paddingMode: PaddingMode.Reflect),
            "Padding size should be less than the corresponding input dimension, but got: padding (3, 3)");
    }

    [Fact]
    public void ConvTranspose2d_rejects_bad_shapes_in_pytorchs_words()
    {
        Fails(() => F.ConvTranspose2d(Tensor.Ones(5, 5), Tensor.Ones(4, 2, 3, 3)),
            "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: [5, 5]");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 3, 5, 5), Tensor.Ones(4, 2, 3, 3)),
            "Given transposed=1, weight of size [4, 2, 3, 3], expected input[1, 3, 5, 5] to have 4 channels, but got 3 channels instead");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(4, 2, 3, 3), Tensor.Ones(3)),
            "Given transposed=1, weight of size [4, 2, 3, 3], expected bias to be 1-dimensional with 2 elements, but got bias of size [3] instead");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(3, 2, 3, 3), groups: 2),
            "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [3, 2, 3, 3] instead");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(4, 2, 3, 3), stride: 2, outputPadding: 2),
            "output padding must be smaller than either stride or dilation, but got output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 1, 1), Tensor.Ones(4, 2, 3, 3), padding: 2),
            "Given input size per channel: (1 x 1). Calculated output size per channel: (-1 x -1). Output size is too small");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(4, 2, 3, 3), outputPadding: -1), "negative output_padding is not supported");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(4, 2, 3, 3), stride: 0), "non-positive stride is not supported");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(4, 2, 3, 3), padding: -1), "negative padding is not supported");
        Fails(() => F.ConvTranspose2d(Tensor.Ones(1, 4, 5, 5), Tensor.Ones(4, 2, 3, 3), dilation: 0),
            "dilation should be greater than zero, but got dilation_height: 0, dilation_width: 0");
        Fails(() => _ = new ConvTranspose2d(2, 2, 3, stride: 2, outputPadding: 2), "output padding must be smaller than either stride or dilation");
    }

    [Fact]
    public void Padding_that_the_mode_cannot_fill_is_rejected()
    {
        var x = Tensor.Ones(1, 1, 3, 3);
        Fails(() => F.Pad(x, (3, 3, 0, 0), PaddingMode.Reflect),
            "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (3, 3) at dimension 3");
        Fails(() => F.Pad(x, (4, 0, 0, 0), PaddingMode.Circular), "Padding value causes wrapping around more than once");
        Fails(() => F.Pad(x, (0, 0, 4, 0), PaddingMode.Symmetric), "must not exceed the input size 3");
        Fails(() => F.Pad(x, (-1, 0, 0, 0), PaddingMode.Replicate), "negative padding (-1, 0) at dimension 3 is only supported by the constant mode");
        Fails(() => F.Pad(x, (-2, -2, 0, 0)), "resulted in a negative output size at dimension 3");
        Fails(() => F.Pad(Tensor.Ones(3), (1, 1, 1, 1)), "at least 2 dimensions");
        Expect.Shape([1, 1, 3, 1], F.Pad(x, (-1, -1, 0, 0)));
    }

    [Fact]
    public void Unfold_and_fold_reject_impossible_geometry()
    {
        Fails(() => F.Unfold(Tensor.Ones(2, 2), 2), "Only 3D or 4D input Tensors are supported (got 2D");
        Fails(() => F.Unfold(Tensor.Ones(1, 1, 2, 2), 3), "calculated shape of the array of sliding blocks as (0, 0), but its components must be at least one");
        Fails(() => F.Fold(Tensor.Ones(1, 5, 9), (4, 4), 2),
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=5 and kernel_size=(2, 2)");
        Fails(() => F.Fold(Tensor.Ones(1, 4, 8), (4, 4), 2),
            "expected size of input's dimension 2 to match the calculated number of sliding blocks 3 * 3 = 9, but got input.size(2)=8.");
    }

    [Fact]
    public void Shape_operations_name_the_shapes()
    {
        var x = Tensor.Zeros(2, 3);
        Fails(() => x.Reshape(4, 2), "shape '[4, 2]' is invalid for input of size 6");
        Fails(() => x.Reshape(-1, -1), "only one dimension can be inferred");
        Fails(() => x.Reshape(4, -1), "shape '[4, -1]' is invalid for input of size 6");
        Fails(() => x.Permute(0), "input.dim() = 2 is not equal to len(dims) = 1");
        Fails(() => x.Permute(0, 0), "repeated dim");
        Fails(() => x.Transpose(0, 2), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
        Fails(() => _ = x[2], "index 2 is out of bounds for dimension 0 with size 2");
        Fails(() => _ = x[0, 0, 0], "too many indices for tensor of dimension 2");
        Fails(() => x[0] = Tensor.Ones(4), "value tensor of shape [4] cannot be broadcast to indexing result of shape [3]");
        Fails(() => _ = x + Tensor.Zeros(4), "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
        Fails(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(2, 3)), "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)");
        Fails(() => F.MseLoss(Tensor.Zeros(3), Tensor.Zeros(2)), "target of shape [2] must have the input's shape [3]");
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2, 2, 2).T);
    }

    [Fact]
    public void Layers_and_optimisers_reject_bad_settings()
    {
        Fails(() => _ = new Conv2d(3, 4, 3, groups: 2), "must both be divisible by groups (2)");
        Fails(() => _ = new Conv2d(0, 4, 3), "positive sizes");
        Fails(() => _ = new Conv2d(1, 1, (0, 3)), "positive sizes");
        Fails(() => _ = new Conv2d(1, 1, 3, padding: -1), "negative padding");
        Fails(() => _ = new Corr2dLayer((0, 2)), "kernel_size must be positive");
        var parameters = new Conv2d(1, 1, 1).Parameters();
        Fails(() => _ = new Sgd(parameters, lr: float.NaN), "Invalid learning rate: NaN");
        Fails(() => _ = new Sgd(parameters, lr: -1), "Invalid learning rate: -1");
        Fails(() => _ = new Sgd(parameters, lr: 0.1f, momentum: -0.5f), "Invalid momentum value");
        Fails(() => _ = new Sgd([], lr: 0.1f), "empty parameter list");
        Fails(() => Kernels.Derivative(0), "between 1 and 24");
        Fails(() => Kernels.Derivative(25), "between 1 and 24");
        Fails(() => Kernels.Gaussian(1e-300), "from 0.01 to 100");
        Fails(() => Kernels.LaplacianOfGaussian(1e-40), "from 0.01 to 100");
        Fails(() => Kernels.Gaussian(1.0, size: -3), "or 0 to take");
        Fails(() => Kernels.Box(0), "between 1 and 1001");
        Fails(() => Kernels.Box(46000), "between 1 and 1001", "46000");
    }
}
