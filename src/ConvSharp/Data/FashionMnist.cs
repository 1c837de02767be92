namespace ConvSharp.Data;

/// <summary>
/// Fashion-MNIST (Zalando Research, https://github.com/zalandoresearch/fashion-mnist, MIT licence):
/// 28x28 gray images of clothing in 10 classes, 60,000 for training and 10,000 for testing, in
/// MNIST's IDX files. Debian's <c>dataset-fashion-mnist</c> package installs them in
/// <see cref="DefaultFolder"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the four files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The side of each image, in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>The names of the 10 classes, label 0 first.</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the training (60,000) or test (10,000) split from <see cref="DefaultFolder"/>.</summary>
    /// <inheritdoc cref="Load(string, bool)"/>
    public static MnistDataset Load(bool train) => Load(DefaultFolder, train);

    /// <summary>
    /// Loads the training or test split from <paramref name="folder"/>: images (N, 1, 28, 28)
    /// float32 in [0, 1] (byte/255, as torchvision's <c>ToTensor</c>), labels 0–9 (see <see cref="Classes"/>).
    /// </summary>
    /// <param name="folder">holds <c>train-images-idx3-ubyte.gz</c>, <c>train-labels-idx1-ubyte.gz</c>,
    /// <c>t10k-images-idx3-ubyte.gz</c> and <c>t10k-labels-idx1-ubyte.gz</c> (or the same without .gz)</param>
    /// <param name="train">the training split (train-*) if true, the test split (t10k-*) if false</param>
    /// <exception cref="FileNotFoundException">the folder or a file is missing; the message says how to install the data</exception>
    /// <exception cref="InvalidDataException">a file is corrupt, the images are not 28x28, or images and labels disagree</exception>
    public static MnistDataset Load(string folder, bool train)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(folder, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(folder, $"{prefix}-labels-idx1-ubyte");
        var dataset = MnistDataset.Load(imagesPath, labelsPath, Classes);
        var shape = dataset.Images.Dims;
        if (shape[2] != ImageSize || shape[3] != ImageSize)
        {
            throw new InvalidDataException(
                $"{imagesPath}: Fashion-MNIST images are {ImageSize}x{ImageSize}, but these are {shape[2]}x{shape[3]}");
        }

        return dataset;
    }

    /// <summary>The file <paramref name="name"/>.gz in <paramref name="folder"/>, else <paramref name="name"/> uncompressed.</summary>
    private static string Find(string folder, string name)
    {
        var gz = Path.Combine(folder, name + ".gz");
        var plain = Path.Combine(folder, name);
        if (File.Exists(gz))
        {
            return gz;
        }

        if (File.Exists(plain))
        {
            return plain;
        }

        var missing = Directory.Exists(folder) ? $"{folder} has no {name}.gz (nor {name})" : $"there is no folder {folder}";
        throw new FileNotFoundException(
            $"Fashion-MNIST not found: {missing}; install it with `sudo apt-get install dataset-fashion-mnist` (into {DefaultFolder}), or pass the folder that holds its four IDX files.",
            gz);
    }
}
