using ConvSharp.Imaging;

namespace ConvSharp.Cli.Tour;

/// <summary>The exercise's hand-designed kernels (a second derivative, an integral) on a real photograph.</summary>
internal static class PhotoFigures
{
    public static void Add(TourFigures figures)
    {
        const string picture = "photo-laplacian-box.png";
        const string title = "Exercise 4 on a photograph (camera.png, CC0): Laplacian and 9×9 box, border reflected";
        var photo = BundledPhotos.Camera();
        using var noGrad = Tensor.NoGrad();
        var laplacian = Filter(photo, Kernels.Laplacian());
        var box = Filter(photo, Kernels.Box(9));
        figures.Tile(picture, title, "camera.png", photo, DisplayMap.Clamp);
        figures.Tile(picture, title, "Laplacian (second derivative)", laplacian, DisplayMap.Signed, saturate: 0.005);
        figures.Tile(picture, title, "|Laplacian|", laplacian, DisplayMap.Abs, saturate: 0.005);
        figures.Tile(picture, title, "9×9 box (integral / mean)", box, DisplayMap.Clamp);
    }

    private static Tensor Filter(Tensor image, Tensor kernel) =>
        Functional.Conv2d(image.Unsqueeze(0), kernel.Reshape(1, 1, kernel.Size(0), kernel.Size(1)), padding: Padding.Same, paddingMode: PaddingMode.Reflect).Squeeze(0);
}
