using System.Runtime.InteropServices;

namespace ConvSharp.Interop;

/// <summary>
/// What .NET does not say about a file: which file a path names (device and inode) and what
/// kind of file it is (regular, pipe, device …), from the C library's <c>stat</c> and
/// <c>lstat</c>. Two paths with one identity are one file, whatever links, hard links or bind
/// mounts lie between them; a pipe or a device must be neither read as an input (a pipe blocks, a
/// device never ends) nor replaced by an output. Read on 64-bit Linux, where <c>struct stat</c>
/// has one layout per architecture (the kernel's: glibc and musl alike); elsewhere the answers
/// are null and callers fall back to what .NET can see.
/// </summary>
internal static partial class FileStat
{
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int SymbolicLink = 0xA000;

    /// <summary>Where st_mode lies in struct stat: after st_dev, st_ino, st_nlink on x86-64; after st_dev, st_ino on the generic 64-bit layout.</summary>
    private static readonly int ModeOffset = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 24,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 16,
        _ => -1,
    };

    private static bool _available = OperatingSystem.IsLinux() && Environment.Is64BitProcess && ModeOffset > 0;

    /// <summary>The (device, inode) of the file <paramref name="path"/> names (links followed), or null if unknown.</summary>
    public static (ulong Device, ulong Inode)? Identity(string path) =>
        Read(path, follow: true, out var buffer) ? (MemoryMarshal.Read<ulong>(buffer), MemoryMarshal.Read<ulong>(buffer.AsSpan(8))) : null;

    /// <summary>
    /// Whether the file <paramref name="path"/> names (links followed) is a regular file: true,
    /// false (a pipe, a device, a socket, a folder), or null when it does not exist or cannot be told.
    /// </summary>
    public static bool? IsRegular(string path) => Read(path, follow: true, out var buffer) ? Type(buffer) == RegularFile : null;

    /// <summary>
    /// Whether the entry <paramref name="path"/> itself (a link not followed) is something other
    /// than a regular file or a symbolic link, such as a device or a pipe: null when it does not exist or cannot be told.
    /// </summary>
    public static bool? IsSpecial(string path) => Read(path, follow: false, out var buffer) ? Type(buffer) is not (RegularFile or SymbolicLink) : null;

    private static int Type(byte[] buffer) => MemoryMarshal.Read<int>(buffer.AsSpan(ModeOffset)) & FileTypeMask;

    private static bool Read(string path, bool follow, out byte[] buffer)
    {
        buffer = new byte[256]; // struct stat is 144 bytes on x86-64 and 128 on the generic layout
        if (!_available)
        {
            return false;
        }

        try
        {
            return (follow ? Stat(path, buffer) : LinkStat(path, buffer)) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _available = false; // an old C library: fall back to what .NET sees
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkStat(string path, [Out] byte[] buffer);
}
