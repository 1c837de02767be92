using System.Runtime.InteropServices;

namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// Which file a path names, as the kernel knows it: the device and inode number from
/// <c>stat</c>. Two paths with one identity are one file, whatever links, hard links or bind
/// mounts lie between them. Read on 64-bit Linux, where <c>struct stat</c> begins with the two
/// (x86-64, ARM64, glibc and musl alike); elsewhere the identity is unknown and callers compare
/// resolved paths only.
/// </summary>
internal static partial class FileIdentity
{
    private static bool _available = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>The (device, inode) of the file <paramref name="path"/> names (links followed), or null if unknown.</summary>
    public static (ulong Device, ulong Inode)? Of(string path)
    {
        if (!_available)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[512]; // struct stat is 144 bytes on x86-64 and 128 on ARM64
        try
        {
            if (Stat(path, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _available = false; // an old C library: fall back to paths
            return null;
        }

        return (MemoryMarshal.Read<ulong>(buffer), MemoryMarshal.Read<ulong>(buffer[8..]));
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, Span<byte> buffer);
}
