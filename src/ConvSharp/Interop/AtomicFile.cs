namespace ConvSharp.Interop;

/// <summary>
/// Writes a file whole or not at all: the bytes go to a hidden temporary file in the same folder,
/// which is renamed over the target only once it is complete. A crash or an error leaves the
/// target as it was, never half-written. Used by every file ConvSharp writes: .npy here, and
/// the images, JSON and plots of ConvSharp.Imaging and the command line.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Calls <paramref name="write"/> on a fresh stream and moves the result to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot write {path}: the folder {folder} does not exist");
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });
}
