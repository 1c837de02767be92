using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ConvSharp.Pooling;

/// <summary>
/// The two lane shuffles that 2-wide pooling windows need on 128-bit vectors: splitting eight
/// consecutive columns into the even and the odd ones, and the reverse, duplicating each lane.
/// SSE or AdvSimd only; callers fall back to scalar loops where <see cref="IsSupported"/> is false.
/// </summary>
internal static class PairLanes
{
    public static bool IsSupported => Sse.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>[a0 a1 a2 a3], [b0 b1 b2 b3] → [a0 a2 b0 b2], [a1 a3 b1 b3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<float> Even, Vector128<float> Odd) Unzip(Vector128<float> a, Vector128<float> b)
    {
        if (Sse.IsSupported)
        {
            return (Sse.Shuffle(a, b, 0b10_00_10_00), Sse.Shuffle(a, b, 0b11_01_11_01));
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return (AdvSimd.Arm64.UnzipEven(a, b), AdvSimd.Arm64.UnzipOdd(a, b));
        }

        throw new PlatformNotSupportedException();
    }

    /// <summary>[g0 g1 g2 g3] → [g0 g0 g1 g1], [g2 g2 g3 g3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<float> Low, Vector128<float> High) Duplicate(Vector128<float> g)
    {
        if (Sse.IsSupported)
        {
            return (Sse.UnpackLow(g, g), Sse.UnpackHigh(g, g));
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return (AdvSimd.Arm64.ZipLow(g, g), AdvSimd.Arm64.ZipHigh(g, g));
        }

        throw new PlatformNotSupportedException();
    }
}
