using ConvSharp.Imaging;

namespace ConvSharp.Cli.Learning;

/// <summary>Reads what <c>convsharp learn</c> learns from: image files, or .npy arrays at full precision.</summary>
internal static class LearnInputs
{
    /// <summary>A (C, H, W) tensor from an image or a .npy of shape (H, W) or (C, H, W).</summary>
    public static Tensor Load(string path, string role)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{role} {path}: no such file", path);
        }

        if (!Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
        {
            return ImageFile.Load(path);
        }

        var array = Tensor.LoadNpy(path);
        var tensor = array.Rank switch
        {
            2 => array.Unsqueeze(0),
            3 => array,
            _ => throw new InvalidDataException($"{role} {path} has shape [{string.Join(", ", array.Shape)}]; an image array is (H, W) or (C, H, W)"),
        };
        if (tensor.Shape.Any(d => d == 0) || tensor.ToArray().Any(v => !float.IsFinite(v)))
        {
            throw new InvalidDataException($"{role} {path} is empty or holds NaN or infinity");
        }

        return tensor;
    }
}
