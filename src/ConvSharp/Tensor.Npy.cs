using ConvSharp.Interop;

namespace ConvSharp;

/// <summary>Tensors to and from NumPy's .npy files, so they travel to and from Python without pickle.</summary>
public partial class Tensor
{
    /// <summary>Reads a .npy file (versions 1–3; float, integer or bool elements become float32).</summary>
    /// <exception cref="InvalidDataException">the file is not a complete .npy array of a supported type</exception>
    public static Tensor LoadNpy(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        InputFile.Length(path); // a pipe or a device is refused before it is opened (and read for ever)
        using var stream = File.OpenRead(path);
        return NpyFormat.Read(stream, path);
    }

    /// <summary>
    /// Writes this tensor as a .npy file (version 1.0, little-endian float32, C order) that
    /// <c>numpy.load</c> reads. The file appears whole or not at all: the bytes go to a temporary
    /// file in the same folder, which is then renamed over <paramref name="path"/>.
    /// </summary>
    public void SaveNpy(string path) => AtomicFile.Write(path, stream => NpyFormat.Write(this, stream));
}
