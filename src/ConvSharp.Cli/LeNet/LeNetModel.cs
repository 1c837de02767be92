using ConvSharp.Nn;

namespace ConvSharp.Cli.LeNet;

/// <summary>Which LeNet: the book's (sigmoid, average pooling) or its modern kin (ReLU, max pooling).</summary>
internal enum LeNetVariant
{
    /// <summary>Dive into Deep Learning 6.6: sigmoid activations, 2×2 average pooling, SGD lr 0.9.</summary>
    D2l,

    /// <summary>ReLU activations, 2×2 max pooling, SGD lr 0.1.</summary>
    Modern,
}

/// <summary>
/// The book's LeNet-5 for 28×28 Fashion-MNIST images, layer for layer as
/// <c>nn.Sequential</c> in section 6.6, so its state dict has PyTorch's keys (0, 3, 7, 9, 11).
/// </summary>
internal static class LeNetModel
{
    /// <summary>The network, with PyTorch's default initialisation (call <see cref="InitXavier"/> for the book's).</summary>
    public static Sequential Create(LeNetVariant variant)
    {
        Module Activation() => variant == LeNetVariant.D2l ? new Sigmoid() : new ReLU();
        Module Pool() => variant == LeNetVariant.D2l ? new AvgPool2d(2, 2) : new MaxPool2d(2, 2);
        return new Sequential(
            new Conv2d(1, 6, kernelSize: 5, padding: 2), Activation(), Pool(),
            new Conv2d(6, 16, kernelSize: 5), Activation(), Pool(),
            new Flatten(),
            new Linear(16 * 5 * 5, 120), Activation(),
            new Linear(120, 84), Activation(),
            new Linear(84, 10));
    }

    /// <summary>The book's <c>init_weights</c>: Xavier-uniform weights for every Conv2d and Linear; biases keep PyTorch's default.</summary>
    public static void InitXavier(Module network)
    {
        foreach (var module in network.Modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    Init.XavierUniform(conv.Weight);
                    break;
                case Linear linear:
                    Init.XavierUniform(linear.Weight);
                    break;
            }
        }
    }

    /// <summary>The learning rate each variant trains with unless told otherwise.</summary>
    public static float DefaultLearningRate(LeNetVariant variant) => variant == LeNetVariant.D2l ? 0.9f : 0.1f;
}
