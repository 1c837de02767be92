using System.Runtime.InteropServices;

namespace ConvSharp.Tests.Support;

/// <summary>
/// An output buffer with canary regions before and after it, filled with a NaN payload that no
/// computation produces, and a body pre-filled with noise (MLAS's guard buffers): writing past
/// either end, or forgetting to write, both show.
/// </summary>
internal sealed unsafe class GuardedBuffer
{
    private const int Guard = 64;
    private static readonly float Canary = BitConverter.Int32BitsToSingle(0x7FC0_BEEF);
    private readonly float[] _storage;
    private readonly GCHandle _handle;

    public GuardedBuffer(int length, TestData data)
    {
        _storage = GC.AllocateArray<float>(length + (2 * Guard), pinned: true);
        _handle = GCHandle.Alloc(_storage, GCHandleType.Pinned);
        _storage.AsSpan(0, Guard).Fill(Canary);
        _storage.AsSpan(Guard + length).Fill(Canary);
        data.Normal(Math.Max(length, 1)).ToArray().AsSpan(0, length).CopyTo(_storage.AsSpan(Guard, length));
        Length = length;
    }

    public int Length { get; }

    public float* Pointer => (float*)_handle.AddrOfPinnedObject() + Guard;

    public Span<float> Values => _storage.AsSpan(Guard, Length);

    public void AssertCanariesIntact(string what)
    {
        for (var i = 0; i < _storage.Length; i++)
        {
            if (i < Guard || i >= Guard + Length)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(_storage[i]) == BitConverter.SingleToInt32Bits(Canary),
                    $"{what}: the canary {(i < Guard ? Guard - i : i - Guard - Length + 1)} floats {(i < Guard ? "before" : "after")} the output was overwritten");
            }
        }
    }
}
