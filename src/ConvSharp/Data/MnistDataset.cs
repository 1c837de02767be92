namespace ConvSharp.Data;

/// <summary>
/// Images of one size with integer labels, as MNIST and its relatives ship them: images as a
/// float32 tensor (N, C, H, W) scaled to [0, 1], labels as class numbers. <see cref="Load"/>
/// reads a pair of IDX files; <see cref="FashionMnist"/> knows Fashion-MNIST's names and classes.
/// </summary>
public sealed class MnistDataset : IDataset
{
    private readonly float[] _pixels;
    private readonly int _exampleSize;
    private readonly int[] _exampleShape;

    /// <summary>A dataset over images already in memory (shared, not copied if contiguous).</summary>
    /// <param name="images">(N, C, H, W) float32</param>
    /// <param name="labels">N labels, each one of the classes' indices when <paramref name="classes"/> is given, else at least 0</param>
    /// <param name="classes">the names of the classes, label 0 first; null if unnamed</param>
    /// <exception cref="ArgumentException">the shapes or counts disagree, or a label is out of range</exception>
    public MnistDataset(Tensor images, int[] labels, IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Rank != 4)
        {
            throw new ArgumentException($"images must be (N, C, H, W), but their shape is {Shapes.Format(images.Dims)}", nameof(images));
        }

        if (images.Dims[0] != labels.Length)
        {
            throw new ArgumentException($"{images.Dims[0]} images but {labels.Length} labels: there must be one label per image", nameof(labels));
        }

        var bad = BadLabel(labels, classes?.Count);
        if (bad >= 0)
        {
            throw new ArgumentException($"label {labels[bad]} (example {bad}) is {LabelRange(classes?.Count)}", nameof(labels));
        }

        Images = images.IsContiguous && images.Offset == 0 && images.Storage.Data.Length == images.NumElements
            ? images
            : new Tensor(images.ToArray(), images.Shape);
        _pixels = Images.Storage.Data;
        Labels = labels;
        Classes = classes is null ? [] : [.. classes];
        _exampleShape = images.Shape[1..];
        _exampleSize = images.Dims[0] == 0 ? 0 : images.NumElements / images.Dims[0];
    }

    /// <summary>The images, (N, C, H, W) float32 in [0, 1] when loaded from IDX files.</summary>
    public Tensor Images { get; }

    /// <summary>The label of each image.</summary>
    public int[] Labels { get; }

    /// <summary>The class names, label 0 first; empty when unnamed.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <inheritdoc/>
    public int Count => Labels.Length;

    /// <inheritdoc/>
    public IReadOnlyList<int> ExampleShape => _exampleShape;

    /// <summary>
    /// Reads an IDX file of images (count, rows, columns) and one of labels (count) into a
    /// dataset of (count, 1, rows, columns) images with values byte/255, as torchvision's
    /// <c>ToTensor</c> gives, and int labels.
    /// </summary>
    /// <param name="imagesPath">the images, plain or gzipped IDX</param>
    /// <param name="labelsPath">the labels, plain or gzipped IDX</param>
    /// <param name="classes">the names of the classes: every label must be below their number; null if unnamed</param>
    /// <exception cref="FileNotFoundException">a file is missing</exception>
    /// <exception cref="InvalidDataException">a file is not a consistent IDX file, the two counts differ, or a label is not a class</exception>
    public static MnistDataset Load(string imagesPath, string labelsPath, IReadOnlyList<string>? classes = null)
    {
        var images = IdxFile.ReadImages(imagesPath);
        var labelBytes = IdxFile.ReadLabels(labelsPath);
        if (images.Count != labelBytes.Count)
        {
            throw new InvalidDataException(
                $"{imagesPath} holds {images.Count} images, but {labelsPath} holds {labelBytes.Count} labels: they must be one label per image");
        }

        var labels = new int[labelBytes.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = labelBytes.Bytes[i];
        }

        var bad = BadLabel(labels, classes?.Count);
        if (bad >= 0)
        {
            throw new InvalidDataException($"{labelsPath}: label {labels[bad]} (example {bad}) is {LabelRange(classes?.Count)}");
        }

        var shape = images.Shape;
        var tensor = new Tensor(ToUnitFloats(images.Bytes), [shape[0], 1, shape[1], shape[2]]);
        return new MnistDataset(tensor, labels, classes);
    }

    /// <inheritdoc/>
    public int CopyExample(int index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (destination.Length != _exampleSize)
        {
            throw new ArgumentException($"an example holds {_exampleSize} values, but the destination holds {destination.Length}", nameof(destination));
        }

        _pixels.AsSpan(index * _exampleSize, _exampleSize).CopyTo(destination);
        return Labels[index];
    }

    /// <summary>byte / 255 in float32, a division as torchvision's <c>ToTensor</c> does (not a multiplication by 1/255, which rounds differently).</summary>
    private static float[] ToUnitFloats(byte[] bytes)
    {
        Span<float> table = stackalloc float[256];
        for (var b = 0; b < 256; b++)
        {
            table[b] = b / 255f;
        }

        var values = new float[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            values[i] = table[bytes[i]];
        }

        return values;
    }

    /// <summary>The index of the first label that is negative or not below <paramref name="classCount"/>, or −1.</summary>
    private static int BadLabel(int[] labels, int? classCount)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= (classCount ?? int.MaxValue))
            {
                return i;
            }
        }

        return -1;
    }

    private static string LabelRange(int? classCount) =>
        classCount is { } n ? $"not one of the {n} classes (0 to {n - 1})" : "negative";
}
