using ConvSharp.Imaging;
using ConvSharp.Nn;
using F = ConvSharp.Functional;

namespace ConvSharp.Cli.Tour;

/// <summary>The chapter's exercises, answered in code; the numbers match the answers printed with the seed text.</summary>
internal static class TourExercises
{
    public static void Run(Notebook nb)
    {
        DiagonalEdges(nb);
        AutogradOfTheBooksLayer(nb);
        CrossCorrelationAsMatrixProduct(nb);
        HandDesignedKernels(nb);
    }

    /// <summary>The 6×6 image of the seed's answer: two bright blocks meeting corner to corner on the diagonal.</summary>
    public static Tensor DiagonalImage() => Tensor.From(new float[,]
    {
        { 1, 1, 1, 0, 0, 0 },
        { 1, 1, 1, 0, 0, 0 },
        { 1, 1, 1, 0, 0, 0 },
        { 0, 0, 0, 1, 1, 1 },
        { 0, 0, 0, 1, 1, 1 },
        { 0, 0, 0, 1, 1, 1 },
    }).Reshape(1, 1, 6, 6);

    private static void DiagonalEdges(Notebook nb)
    {
        nb.Section("Exercise 1: an image with diagonal edges");
        Tensor X = null!, K = null!, Y1 = null!, both = null!;
        Conv2d conv = null!;
        nb.Run(() => X = DiagonalImage());
        nb.Show(X.Squeeze());
        nb.Text("A 3×3 vertical-edge kernel, set into an nn.Conv2d layer as the seed's answer does:");
        nb.Run(() => K = Tensor.From(new float[,] { { 1, 0, -1 }, { 1, 0, -1 }, { 1, 0, -1 } }).Reshape(1, 1, 3, 3));
        nb.Run(() => conv = new Conv2d(1, 1, kernelSize: 3, bias: false));
        nb.Run(() => conv.Weight.Data[..] = K);
        nb.Text("1. Apply K to X: the vertical part of the edges, strongest where the blocks meet.");
        nb.Run(() => Y1 = conv.Forward(X).Squeeze());
        nb.Show(Y1);
        nb.Text("2. Transpose X: the same output, because this X is symmetric about its diagonal.");
        nb.Show(conv.Forward(X.Transpose(2, 3)).Squeeze());
        nb.Show(Tensor.Equal(X, X.Transpose(2, 3)));
        nb.Text("3. Transpose K: it becomes a horizontal-edge detector, and the output is transposed.");
        nb.Text("   (The seed's answer transposed X twice here and so printed the first output again.)");
        nb.Run(() => conv.Weight.Data[..] = K.Transpose(2, 3));
        nb.Show(conv.Forward(X).Squeeze());
        nb.Text("   Transposing both gives exactly the transpose of the first output:");
        nb.Run(() => both = conv.Forward(X.Transpose(2, 3)).Squeeze());
        nb.Show(Tensor.Equal(both, Y1.T));
        const string picture = "exercise1-diagonal-edges.png";
        const string title = "Exercise 1: diagonal edges (blue negative, white 0, red positive)";
        nb.Figures?.Tile(picture, title, "X: 6×6, edges on the diagonal", X.Squeeze(), DisplayMap.Clamp);
        nb.Figures?.Tile(picture, title, "K: vertical edges", K.Squeeze(), DisplayMap.Signed);
        nb.Figures?.Tile(picture, title, "corr2d(X, K)", Y1, DisplayMap.Signed);
        nb.Figures?.Tile(picture, title, "corr2d(X, K.T): horizontal", conv.Forward(X).Squeeze(), DisplayMap.Signed);
        nb.Text("The section's K = [1, -1] on an image whose edge is the diagonal itself:");
        Tensor T = null!, edge = null!;
        nb.Run(() => T = Tensor.From(new float[,] { { 1, 0, 0, 0 }, { 1, 1, 0, 0 }, { 1, 1, 1, 0 }, { 1, 1, 1, 1 } }));
        nb.Run(() => edge = Tensor.From(new float[,] { { 1, -1 } }));
        nb.Show(F.Corr2d(T, edge));
        nb.Show(F.Corr2d(T.T, edge));
        nb.Show(F.Corr2d(T, edge.T));
        nb.Text("(The seed's answer ends by checking what squeeze does to a shape.)");
        Tensor A = null!;
        nb.Run(() => A = Tensor.Rand(1, 3, 1, 2));
        nb.Show(A.Shape);
        nb.Show(A.Squeeze().Shape);
    }

    private static void AutogradOfTheBooksLayer(Notebook nb)
    {
        nb.Section("Exercise 2: autograd through the book's Conv2D");
        Corr2dLayer layer = null!;
        Tensor output = null!;
        nb.Run(() => layer = new Corr2dLayer(kernelSize: (3, 3)));
        nb.Text("A 3-D input is an error with the shapes named, not a crash:");
        nb.ShowError(() => layer.Forward(Tensor.Rand(1, 5, 5)));
        nb.Text("With a 2-D input the output is a 3×3 matrix; backward needs a scalar:");
        nb.Run(() => output = layer.Forward(Tensor.Rand(5, 5)));
        nb.ShowError(() => output.Backward());
        nb.Run(() => output.Sum().Backward());
        nb.Show(layer.Bias.Grad);
    }

    private static void CrossCorrelationAsMatrixProduct(Notebook nb)
    {
        nb.Section("Exercise 3: cross-correlation as a matrix product (im2col)");
        nb.Text("Unfold lays every 2×2 window of X out as a column; the kernel becomes a row; one matmul does all windows.");
        Tensor X = null!, K = null!, columns = null!, Y = null!;
        nb.Run(() => X = Tensor.From(new float[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } }).Reshape(1, 1, 3, 3));
        nb.Run(() => K = Tensor.From(new float[,] { { 1, 0 }, { 0, -1 } }).Reshape(1, 1, 2, 2));
        nb.Run(() => columns = F.Unfold(X, kernelSize: (2, 2)));
        nb.Run(() => Y = K.Reshape(1, -1).MatMul(columns).Reshape(1, 1, 2, 2));
        nb.Show(Y);
        nb.Show(F.Conv2d(X, K));
        nb.Show(Tensor.AllClose(Y, F.Conv2d(X, K), atol: 1e-6f));
        nb.Text("Unfolding a 4×4 image with a 2×2 kernel: 4 rows (one per tap), 9 columns (one per window).");
        Tensor unfolded = null!;
        nb.Run(() => unfolded = F.Unfold(Tensor.Arange(1, 17).Reshape(1, 1, 4, 4), kernelSize: 2));
        nb.Show(unfolded.Shape);
        nb.Show(unfolded[0, .., 0]);
    }

    private static void HandDesignedKernels(Notebook nb)
    {
        nb.Section("Exercise 4: hand-designed kernels");
        Tensor X = null!;
        nb.Run(() => X = DiagonalImage());
        nb.Text("1. A second derivative: the Laplacian, applied with padding 1.");
        nb.Show(Kernels.Laplacian());
        nb.Show(F.Conv2d(X, Kernels.Laplacian().Reshape(1, 1, 3, 3), padding: 1).Squeeze());
        nb.Text("2. An integral: the 3×3 box (sum over the window, here divided by its area).");
        nb.Show(F.Conv2d(X, Kernels.Box(3).Reshape(1, 1, 3, 3), padding: 1).Squeeze());
        nb.Text("3. The smallest kernel for the d-th derivative has d + 1 taps: the forward difference,");
        nb.Text("   binomial coefficients with alternating signs. On x^d it gives the constant d!.");
        for (var d = 1; d <= 4; d++)
        {
            var kernel = Kernels.Derivative(d);
            var samples = Tensor.Arange(0, 8).Pow(d).Reshape(1, 8);
            nb.Text($"d = {d}: {kernel.Size(1)} taps {kernel}");
            nb.Text($"       on x^{d}: {F.Corr2d(samples, kernel)}");
        }
    }
}
