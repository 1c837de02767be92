using System.Text.RegularExpressions;

namespace ConvSharp.Interop;

/// <summary>
/// Writes a file whole or not at all: the bytes go to a hidden temporary file in the same folder,
/// flushed to the disk, then renamed over the target. A crash, a power cut or an error leaves
/// the target as it was (or, after the rename, complete), never half-written or empty. Used by
/// every file ConvSharp writes: .npy here, and the images, JSON and plots of ConvSharp.Imaging
/// and the command line.
/// </summary>
/// <remarks>
/// The temporary file is named <c>.NAME.convsharp-GUID.tmp</c> and held open, with the lock
/// .NET takes on every file it opens (an advisory <c>flock</c> on Unix), until it has been
/// renamed: <see cref="RemoveStale"/> can then tell the leftovers of a killed run (whose locks
/// died with it) from a file another run is still writing.
/// </remarks>
internal static partial class AtomicFile
{
    /// <summary>The temporary files being written now, for <see cref="RemoveUnfinished"/>.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Unfinished = new(StringComparer.Ordinal);

    /// <summary>
    /// Deletes the temporary files of writes still in progress: for a process about to end on a
    /// signal (Ctrl-C, SIGTERM), which would otherwise leave them for the next run to clear.
    /// </summary>
    public static void RemoveUnfinished()
    {
        foreach (var temporary in Unfinished.Keys)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone already, or not ours to remove: the next run's cleanup will see.
            }
        }
    }

    /// <summary>Calls <paramref name="write"/> on a fresh stream and moves the result to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var file = Create(path);
        try
        {
            write(file.Stream);
        }
        catch (IOException e)
        {
            throw file.Failure(e);
        }

        file.Commit();
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>
    /// A temporary file to write into piece by piece; <see cref="Pending.Commit"/> puts it in place,
    /// disposing without committing deletes it.
    /// </summary>
    public static Pending Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (File.Exists(folder))
        {
            throw new IOException($"cannot write {path}: {folder} is a file, not a folder");
        }

        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot write {path}: the folder {folder} does not exist");
        }

        if (Directory.Exists(full))
        {
            throw new IOException($"cannot write {path}: it is a folder");
        }

        if (FileStat.IsSpecial(full) is true)
        {
            // Renaming over it would replace a device or a pipe (/dev/null, say) with a regular file.
            throw new IOException($"cannot write {path}: it is a device or a pipe, not a regular file");
        }

        // A name of at most 255 bytes whatever the target's length: the target's name is shortened to fit.
        var prefix = Path.Combine(folder, $".{Shorten(Path.GetFileName(full), 200)}.convsharp-");
        for (var attempt = 0; ; attempt++)
        {
            var temporary = $"{prefix}{Guid.NewGuid():N}.tmp";
            FileStream stream;
            try
            {
                // FileShare.Delete lets it be renamed while open (Windows); on Unix .NET holds a shared flock on it all the same.
                stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Delete);
            }
            catch (IOException) when (attempt < 3 && File.Exists(temporary))
            {
                continue; // a cleanup in another run locked the new file before this one could: it will remove it
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot write {path}: no new file can be made in {folder} ({e.Message})", e);
            }

            if (File.Exists(temporary))
            {
                Unfinished[temporary] = 0;
                return new Pending(stream, temporary, full);
            }

            // A cleanup removed the file between its creation and this run's lock: start again under a new name.
            stream.Dispose();
            if (attempt >= 3)
            {
                throw new IOException($"cannot write {path}: its temporary file in {folder} keeps disappearing");
            }
        }
    }

    /// <summary>
    /// Deletes the temporary files that runs killed while writing left in <paramref name="folder"/>
    /// (and its subfolders when <paramref name="recursive"/>): regular files of this class's naming
    /// pattern that no process holds locked and that <paramref name="keep"/> does not claim (the
    /// caller's inputs). Symbolic links, to files or folders, are neither followed nor removed, so
    /// nothing outside the folder is touched. Returns how many were removed.
    /// </summary>
    public static int RemoveStale(string folder, bool recursive, Func<string, bool>? keep = null)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var removed = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = recursive, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp", options))
        {
            if (!TemporaryName().IsMatch(Path.GetFileName(file)) || keep?.Invoke(file) == true)
            {
                continue;
            }

            // Never open a pipe (the open would wait for a writer) or a device; where the kind of
            // file cannot be told, an empty file is left alone for the same reason.
            var special = FileStat.IsSpecial(file);
            if (special is true || (special is null && new FileInfo(file).Length == 0))
            {
                continue;
            }

            try
            {
                // Opening it exclusively fails while its writer is alive (a killed writer's lock died
                // with it); the file is deleted while that lock is held, so no writer can be using it.
                using (new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }

                removed++;
            }
            catch (IOException)
            {
                // In use by a live run, or gone already.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to delete.
            }
        }

        return removed;
    }

    /// <summary>The longest start of <paramref name="name"/> that takes at most <paramref name="bytes"/> bytes in UTF-8, whole characters only.</summary>
    private static string Shorten(string name, int bytes)
    {
        var (used, length) = (0, 0);
        foreach (var rune in name.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > bytes)
            {
                break;
            }

            used += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }

        return name[..length];
    }

    [GeneratedRegex(@"^\..+\.convsharp-[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryName();

    /// <summary>A temporary file being written; see <see cref="Create"/>.</summary>
    internal sealed class Pending(FileStream stream, string temporary, string target) : IDisposable
    {
        private bool _done;

        public Stream Stream => stream;

        /// <summary>Flushes the bytes to the disk, then renames the file over the target (still open, so still locked).</summary>
        public void Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            try
            {
                stream.Flush(flushToDisk: true);
                File.Move(temporary, target, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(e);
            }

            _done = true;
            Unfinished.TryRemove(temporary, out _);
            stream.Dispose();
        }

        /// <summary>An error while writing, told of the file the user named rather than of its temporary stand-in.</summary>
        public IOException Failure(Exception e) =>
            new($"cannot write {target}: {e.Message.Replace(temporary, target, StringComparison.Ordinal)}", e);

        public void Dispose()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            Unfinished.TryRemove(temporary, out _);
            try
            {
                stream.Dispose(); // may throw: the last buffered bytes of a full disk
            }
            catch (IOException)
            {
            }
            finally
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A read-only or failing disk: the next run's cleanup removes it.
                }
            }
        }
    }
}
