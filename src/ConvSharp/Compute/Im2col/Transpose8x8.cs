using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ConvSharp.Compute.Im2col;

/// <summary>
/// Transposes 8×8 blocks of floats: where 256-bit vectors are accelerated, eight row loads, the classic unpack / shuffle /
/// lane-permute network (24 shuffles), eight stores; with SSE or NEON, four 4×4 transposes of
/// 128-bit rows (8 shuffles each); without SIMD, plain loops.
/// </summary>
internal static unsafe class Transpose8x8
{
    /// <summary>
    /// destination[c·dStride + r] = source[r·sStride + c] for r, c in 0..7. The caller guarantees eight
    /// readable floats at each of the eight source rows and eight writable ones at each destination row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        if (Avx.IsSupported && Vector256.IsHardwareAccelerated)
        {
            var r0 = Avx.LoadVector256(source);
            var r1 = Avx.LoadVector256(source + sourceStride);
            var r2 = Avx.LoadVector256(source + (2 * sourceStride));
            var r3 = Avx.LoadVector256(source + (3 * sourceStride));
            var r4 = Avx.LoadVector256(source + (4 * sourceStride));
            var r5 = Avx.LoadVector256(source + (5 * sourceStride));
            var r6 = Avx.LoadVector256(source + (6 * sourceStride));
            var r7 = Avx.LoadVector256(source + (7 * sourceStride));
            var t0 = Avx.UnpackLow(r0, r1);
            var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3);
            var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5);
            var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7);
            var t7 = Avx.UnpackHigh(r6, r7);
            var u0 = Avx.Shuffle(t0, t2, 0x44);
            var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44);
            var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44);
            var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44);
            var u7 = Avx.Shuffle(t5, t7, 0xEE);
            Avx.Store(destination, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(destination + destinationStride, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(destination + (2 * destinationStride), Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(destination + (3 * destinationStride), Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(destination + (4 * destinationStride), Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(destination + (5 * destinationStride), Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(destination + (6 * destinationStride), Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(destination + (7 * destinationStride), Avx.Permute2x128(u3, u7, 0x31));
            return;
        }

        if (Sse.IsSupported || AdvSimd.Arm64.IsSupported)
        {
            Block4x4(source, sourceStride, destination, destinationStride);
            Block4x4(source + 4, sourceStride, destination + (4 * destinationStride), destinationStride);
            Block4x4(source + (4 * sourceStride), sourceStride, destination + 4, destinationStride);
            Block4x4(source + (4 * sourceStride) + 4, sourceStride, destination + (4 * destinationStride) + 4, destinationStride);
            return;
        }

        for (var r = 0; r < 8; r++)
        {
            for (var c = 0; c < 8; c++)
            {
                destination[(c * destinationStride) + r] = source[(r * sourceStride) + c];
            }
        }
    }

    /// <summary>
    /// destination[c·dStride + r] = source[r·sStride + c] for r, c in 0..3: interleave rows pairwise
    /// (unpack / zip of 32-bit lanes), then pairs of pairs (64-bit halves). SSE or ARM64 NEON only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x4(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        var r0 = Vector128.Load(source);
        var r1 = Vector128.Load(source + sourceStride);
        var r2 = Vector128.Load(source + (2 * sourceStride));
        var r3 = Vector128.Load(source + (3 * sourceStride));
        Vector128<float> c0, c1, c2, c3;
        if (AdvSimd.Arm64.IsSupported)
        {
            var t0 = AdvSimd.Arm64.ZipLow(r0, r1).AsDouble();
            var t1 = AdvSimd.Arm64.ZipHigh(r0, r1).AsDouble();
            var t2 = AdvSimd.Arm64.ZipLow(r2, r3).AsDouble();
            var t3 = AdvSimd.Arm64.ZipHigh(r2, r3).AsDouble();
            c0 = AdvSimd.Arm64.ZipLow(t0, t2).AsSingle();
            c1 = AdvSimd.Arm64.ZipHigh(t0, t2).AsSingle();
            c2 = AdvSimd.Arm64.ZipLow(t1, t3).AsSingle();
            c3 = AdvSimd.Arm64.ZipHigh(t1, t3).AsSingle();
        }
        else
        {
            var t0 = Sse.UnpackLow(r0, r1);
            var t1 = Sse.UnpackHigh(r0, r1);
            var t2 = Sse.UnpackLow(r2, r3);
            var t3 = Sse.UnpackHigh(r2, r3);
            c0 = Sse.MoveLowToHigh(t0, t2);
            c1 = Sse.MoveHighToLow(t2, t0);
            c2 = Sse.MoveLowToHigh(t1, t3);
            c3 = Sse.MoveHighToLow(t3, t1);
        }

        c0.Store(destination);
        c1.Store(destination + destinationStride);
        c2.Store(destination + (2 * destinationStride));
        c3.Store(destination + (3 * destinationStride));
    }
}
