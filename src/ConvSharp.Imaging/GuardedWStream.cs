using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>
/// A .NET stream as a Skia write stream whose callbacks never throw: SkiaSharp calls them from
/// native code, where an exception (a full disk's IOException) cannot pass and would end the
/// process. A failed write is kept in <see cref="Failure"/> and reported to Skia as a failed
/// write, so the encoder stops and returns false; the caller then throws it. Used for SkiaSharp's
/// encoders only (JPEG, WebP, and PNG of a bitmap kind <see cref="PngWriter"/> does not take):
/// ConvSharp's own PNG writer is managed code and writes to the .NET stream directly.
/// </summary>
internal sealed class GuardedWStream(Stream stream) : SKAbstractManagedWStream
{
    private long _written;

    /// <summary>The exception the first failed write raised, or null.</summary>
    public Exception? Failure { get; private set; }

    protected override unsafe bool OnWrite(IntPtr buffer, IntPtr size)
    {
        if (Failure is not null)
        {
            return false;
        }

        try
        {
            // Skia's writes are small (rows, compressed blocks): well under 2 GB each.
            stream.Write(new ReadOnlySpan<byte>((void*)buffer, checked((int)size)));
            _written += size;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OverflowException or ObjectDisposedException)
        {
            Failure = e;
            return false;
        }
    }

    protected override void OnFlush()
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Failure = e;
        }
    }

    protected override IntPtr OnBytesWritten() => new(_written);
}
