namespace ConvSharp.Interop;

/// <summary>
/// Checks a file before it is opened for reading: it must be a regular file with something in it.
/// A pipe would block the open until something writes to it, and a device (<c>/dev/zero</c>)
/// never ends, so either is refused unopened, through symbolic links too.
/// </summary>
internal static class InputFile
{
    /// <summary>The length of the regular file <paramref name="path"/> names (links followed).</summary>
    /// <exception cref="FileNotFoundException">there is no such file, or a link leads nowhere</exception>
    /// <exception cref="InvalidDataException">it is empty, or not a regular file</exception>
    public static long Length(string path)
    {
        if (FileStat.IsRegular(path) is false)
        {
            throw new InvalidDataException($"{path}: not a regular file (a pipe, a device or a folder), so it is not read");
        }

        // .NET's own view, where the C library cannot be asked: the length of the file a link
        // leads to (a link's own length is that of its text), and 0 for pipes and devices.
        var info = new FileInfo(path);
        var file = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        if (file is not { Exists: true })
        {
            throw new FileNotFoundException($"{path}: no such file{(info.LinkTarget is null ? "" : " (a link that leads nowhere)")}", path);
        }

        return file.Length > 0 ? file.Length : throw new InvalidDataException($"{path}: the file is empty (or not a regular file: a pipe or a device)");
    }
}
