using ConvSharp.Imaging;
using ConvSharp.Nn;
using F = ConvSharp.Functional;

namespace ConvSharp.Cli.Tour;

/// <summary>
/// The "Convolutions for Images" chapter of Dive into Deep Learning (section 6.2), cell by cell,
/// then its exercises with answers. Deterministic: the generator is seeded first, and the
/// seeded draws are PyTorch's, so the learning loop prints what PyTorch prints after
/// <c>torch.manual_seed(0)</c>.
/// </summary>
internal static class ChapterTour
{
    public const ulong Seed = 0;

    public static void Run(TextWriter output, TourFigures? figures = null)
    {
        var nb = new Notebook(output, figures);
        Rng.ManualSeed(Seed);
        nb.Title("ConvSharp tour: \"Convolutions for Images\" (Dive into Deep Learning, 6.2) in C#");
        nb.Text("Lines starting with '>' are the C# that ran; below each is what it printed.");
        nb.Text($"using F = ConvSharp.Functional;   Rng.ManualSeed({Seed});");

        CrossCorrelation(nb);
        ConvolutionalLayers(nb);
        EdgeDetection(nb, out var edgeInput, out var edgeTarget);
        LearningAKernel(nb, edgeInput, edgeTarget);
        CrossCorrelationVersusConvolution(nb, edgeInput, edgeTarget);
        ReceptiveFields(nb);
        TourExercises.Run(nb);
    }

    private static void CrossCorrelation(Notebook nb)
    {
        nb.Section("6.2.1 The cross-correlation operation");
        nb.Text("The window slides over X; each output is the sum of the window times K: 0×0 + 1×1 + 3×2 + 4×3 = 19.");
        Tensor X = null!, K = null!;
        nb.Run(() => X = Tensor.From(new float[,] { { 0, 1, 2 }, { 3, 4, 5 }, { 6, 7, 8 } }));
        nb.Run(() => K = Tensor.From(new float[,] { { 0, 1 }, { 2, 3 } }));
        nb.Show(F.Corr2d(X, K));
    }

    private static void ConvolutionalLayers(Notebook nb)
    {
        nb.Section("6.2.2 Convolutional layers");
        nb.Text("The book's Conv2D: a random weight, a scalar bias, forward = corr2d(x, weight) + bias.");
        Corr2dLayer layer = null!;
        nb.Run(() => layer = new Corr2dLayer(kernelSize: (1, 2)));
        nb.Show(layer.Weight);
        nb.Show(layer.Bias);
        nb.Show(layer.Forward(Tensor.Ones(2, 3)));
    }

    private static void EdgeDetection(Notebook nb, out Tensor edgeInput, out Tensor edgeTarget)
    {
        nb.Section("6.2.3 Object edge detection in images");
        nb.Text("A 6×8 image: black (0) in the middle four columns, white (1) elsewhere.");
        Tensor X = null!, K = null!, Y = null!;
        nb.Run(() => X = Tensor.Ones(6, 8));
        nb.Run(() => X[.., 2..6] = 0);
        nb.Show(X);
        nb.Text("The kernel [1, -1] gives 0 where neighbours agree: 1 marks white-to-black, -1 black-to-white.");
        nb.Run(() => K = Tensor.From(new float[,] { { 1, -1 } }));
        nb.Run(() => Y = F.Corr2d(X, K));
        nb.Show(Y);
        nb.Text("Transposed, the edges are horizontal and K sees none of them:");
        nb.Show(F.Corr2d(X.T, K));
        (edgeInput, edgeTarget) = (X, Y);
        const string picture = "6.2.3-edge-detection.png";
        const string title = "6.2.3 edge detection with K = [1, -1] (blue −1, white 0, red +1)";
        nb.Figures?.Tile(picture, title, "X: 6×8 image", X, DisplayMap.Clamp);
        nb.Figures?.Tile(picture, title, "Y = corr2d(X, K)", Y, DisplayMap.Signed);
        nb.Figures?.Tile(picture, title, "X.T: 8×6 image", X.T, DisplayMap.Clamp);
        nb.Figures?.Tile(picture, title, "corr2d(X.T, K): no edges", F.Corr2d(X.T, K), DisplayMap.Signed);
    }

    private static void LearningAKernel(Notebook nb, Tensor edgeInput, Tensor edgeTarget)
    {
        nb.Section("6.2.4 Learning a kernel");
        nb.Text("Learn the kernel that maps X to Y from the pair alone: squared error, gradient descent.");
        var X = edgeInput;
        var Y = edgeTarget;
        Conv2d conv2d = null!;
        var lr = 3e-2f;
        Action<string> print = nb.Output.WriteLine;
        nb.Text("Seeded again, so the random initial kernel is the one torch.manual_seed(0) gives PyTorch:");
        nb.Run(() => Rng.ManualSeed(0));
        nb.Run(() => conv2d = new Conv2d(1, 1, kernelSize: (1, 2), bias: false));
        nb.Run(() => X = X.Reshape(1, 1, 6, 8));
        nb.Run(() => Y = Y.Reshape(1, 1, 6, 7));
        nb.Run(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                var Y_hat = conv2d.Forward(X);
                var l = (Y_hat - Y).Pow(2);
                conv2d.ZeroGrad();
                l.Sum().Backward();
                conv2d.Weight.Data[..] -= lr * conv2d.Weight.Grad!;
                if ((i + 1) % 2 == 0)
                {
                    print($"epoch {i + 1}, loss {l.Sum().Item():F3}");
                }
            }
        });
        nb.Text("The learned kernel is close to K = [1, -1]:");
        nb.Show(conv2d.Weight.Data.Reshape(1, 2));
        nb.Figures?.Kernel("6.2.4-learned-kernel.png", "6.2.4 the kernel learned from X and Y", conv2d.Weight.Data.Reshape(1, 2));
    }

    private static void CrossCorrelationVersusConvolution(Notebook nb, Tensor edgeInput, Tensor edgeTarget)
    {
        nb.Section("6.2.5 Cross-correlation and convolution");
        nb.Text("A true convolution flips the kernel vertically and horizontally before sliding it,");
        nb.Text("so convolving with the flipped kernel is cross-correlating with the kernel:");
        Tensor X = null!, K = null!;
        nb.Run(() => X = Tensor.From(new float[,] { { 0, 1, 2 }, { 3, 4, 5 }, { 6, 7, 8 } }).Reshape(1, 1, 3, 3));
        nb.Run(() => K = Tensor.From(new float[,] { { 0, 1 }, { 2, 3 } }).Reshape(1, 1, 2, 2));
        nb.Show(F.Convolve2d(X, K.Flip(2, 3)));
        nb.Show(Tensor.Equal(F.Convolve2d(X, K.Flip(2, 3)), F.Conv2d(X, K)));
        nb.Text("So a layer that convolves learns the flipped kernel K' and computes the same outputs.");
        nb.Text("Learning the edge kernel again, with a true convolution this time:");
        Parameter w = null!;
        var x = edgeInput.Reshape(1, 1, 6, 8);
        var y = edgeTarget.Reshape(1, 1, 6, 7);
        nb.Run(() => w = new Parameter(Tensor.Zeros(1, 1, 1, 2)));
        nb.Run(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                var loss = (F.Convolve2d(x, w) - y).Pow(2).Sum();
                w.Grad = null;
                loss.Backward();
                w.Data[..] -= 3e-2f * w.Grad!;
            }
        });
        nb.Show(w.Data.Reshape(1, 2));
        nb.Text("K' is [-1, 1]: the edge kernel [1, -1] flipped.");
    }

    private static void ReceptiveFields(Notebook nb)
    {
        nb.Section("6.2.6 Feature map and receptive field");
        nb.Text("An output's receptive field is every input that can change it: exactly where its gradient");
        nb.Text("is non-zero. With kernels of ones, the gradient also counts the paths from each input.");
        Tensor X = null!, Y = null!, z = null!;
        var ones = Tensor.Ones(2, 2);
        nb.Run(() => X = Tensor.From(new float[,] { { 0, 1, 2 }, { 3, 4, 5 }, { 6, 7, 8 } }));
        nb.Run(() => X.RequiresGrad = true);
        nb.Run(() => Y = F.Corr2d(X, ones));
        nb.Run(() => Y[0, 0].Backward(retainGraph: true));
        nb.Text("(retainGraph keeps what Y saved for its gradient: the next cell goes back through Y once more.)");
        nb.Text("The receptive field of Y[0, 0] is the four shaded inputs of the figure:");
        nb.Show(X.Grad);
        nb.Run(() => X.Grad = null);
        nb.Text("Stack a second 2×2 layer on the 2×2 feature map Y: its single output z sees all of Y,");
        nb.Text("and through Y all nine elements of X. Deeper networks see wider regions.");
        nb.Run(() => z = F.Corr2d(Y, ones));
        nb.Run(() => z.Sum().Backward());
        nb.Show(X.Grad);
        nb.Text("The same by the receptive-field recurrences (size r, jump j, centre of the first field):");
        IReadOnlyList<ReceptiveFieldStep> steps = null!;
        nb.Run(() => steps = ReceptiveField.Compute([new LayerSpec("conv2x2", 2), new LayerSpec("conv2x2", 2)]));
        foreach (var step in steps)
        {
            nb.Text($"  after {step.Layer}: r = {step.Size}, j = {step.Jump}, start = {step.Start}");
        }
    }
}
