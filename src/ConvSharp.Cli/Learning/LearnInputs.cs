using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Learning;

/// <summary>Reads what <c>convsharp learn</c> learns from: image files, or .npy arrays at full precision.</summary>
internal static class LearnInputs
{
    /// <summary>
    /// The most pixels learn fits: it holds its images as floats with the fit's intermediate
    /// tensors, about 40 bytes a pixel and channel (a 16-megapixel colour pair takes about 2 GB).
    /// </summary>
    public const long MaxPixels = 1L << 24;

    /// <summary>The most channels learn takes: its whitening grows with their square, and its kernel picture draws one tile per pair.</summary>
    public const int MaxChannels = 64;

    /// <summary>A (C, H, W) tensor from an image or a .npy of shape (H, W) or (C, H, W).</summary>
    public static Tensor Load(string path, string role)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{role} {path}: no such file", path);
        }

        if (!Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var (width, height) = ImageFile.Dimensions(path);
            CheckSize(path, role, height, width);
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

        CheckSize(path, role, tensor.Shape[1], tensor.Shape[2]);
        if (tensor.Shape[0] > MaxChannels)
        {
            throw new InvalidDataException($"{role} {path} has {tensor.Shape[0]} channels; learn takes at most {MaxChannels}");
        }

        return tensor;
    }

    /// <summary>
    /// <see cref="Load"/> for <c>-</c>: standard input, copied into <paramref name="staging"/> and
    /// read as .npy if it starts as one (its magic string), as an image otherwise. Errors call it "standard input".
    /// </summary>
    public static Tensor LoadStandardInput(CliContext context, Staging staging, string role)
    {
        var copy = staging.FromStandardInput(context, role.ToUpperInvariant(), "stdin");
        var magic = new byte[6];
        using (var file = File.OpenRead(copy))
        {
            file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        }

        var path = magic[0] == 0x93 && magic.AsSpan(1).SequenceEqual("NUMPY"u8) ? copy + ".npy" : copy;
        File.Move(copy, path, overwrite: true);
        try
        {
            return Load(path, role);
        }
        catch (Exception e) when (CliContext.IsUserFacing(e))
        {
            throw new InvalidDataException(CliContext.Describe(e).Replace(path, "standard input", StringComparison.Ordinal), e);
        }
    }

    private static void CheckSize(string path, string role, int height, int width)
    {
        if ((long)height * width > MaxPixels)
        {
            throw new InvalidDataException(
                $"{role} {path} is {width}×{height} pixels; learn fits images of up to {MaxPixels} pixels (it keeps them as floats, with the fit's gradients): crop it");
        }
    }
}
