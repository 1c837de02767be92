using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ConvSharp.Ops;

namespace ConvSharp.Imaging;

/// <summary>
/// The per-value loops that turn a response into a picture: the display maps of
/// <see cref="DisplayMapping"/> (as operators of the core's <see cref="ElementwiseLoops"/>, and
/// the signed colours) and the quantising of <see cref="PictureRows"/>. Each is a
/// <see cref="Vector{T}"/> body (8 floats with AVX2, 16 with AVX-512, 4 with SSE or NEON) and a
/// scalar tail, or the scalar loop alone where vectors are not accelerated
/// (<c>DOTNET_EnableHWIntrinsic=0</c>). Lanes do the scalar formula's IEEE operations, so both
/// give the same values (tests compare them); inputs are finite, as the callers check.
/// </summary>
internal static class PixelLoops
{
    /// <summary>The index of the first value that is NaN or infinite, or −1 when all are finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        ref var xs = ref MemoryMarshal.GetReference(values);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var x = Vector.LoadUnsafe(ref xs, (nuint)i);
                if (!Vector.EqualsAll(x - x, Vector<float>.Zero))
                {
                    break; // x − x is 0 for a finite x, NaN otherwise: the scalar loop finds which
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The smallest and the largest of finite values (+∞ and −∞ for none).</summary>
    public static (float Min, float Max) MinMax(ReadOnlySpan<float> values) =>
        values.IsEmpty ? (float.PositiveInfinity, float.NegativeInfinity) : (Extrema.Min(values), Extrema.Max(values));

    /// <summary>
    /// values[x] = pixels[x · bytesPerPixel + channel] / 255 for each of <paramref name="values"/>:
    /// one channel of a row of 1- or 4-byte pixels as floats. Divided, not multiplied by 1/255, in
    /// vectors as in the scalar tail: IEEE division rounds each lane as it rounds one float, so
    /// these are NumPy's and PyTorch's x / 255.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Levels(ReadOnlySpan<byte> pixels, int bytesPerPixel, int channel, Span<float> values)
    {
        if (bytesPerPixel is not (1 or 4) || (uint)channel >= (uint)bytesPerPixel)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), $"channel {channel} of {bytesPerPixel}-byte pixels");
        }

        pixels = pixels[..(values.Length * bytesPerPixel)]; // bounds: the unchecked loads below stay inside
        ref var ps = ref MemoryMarshal.GetReference(pixels);
        ref var vs = ref MemoryMarshal.GetReference(values);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var lanes = Vector<uint>.Count;
            if (bytesPerPixel == 4)
            {
                // The channel's byte of each pixel, shifted down and masked.
                var (shift, low) = (8 * channel, new Vector<uint>(0xFF));
                for (; i <= values.Length - lanes; i += lanes)
                {
                    var pixel = Vector.LoadUnsafe(ref Unsafe.As<byte, uint>(ref Unsafe.Add(ref ps, i * 4)));
                    StoreLevels(Vector.ShiftRightLogical(pixel, shift) & low, ref vs, i);
                }
            }
            else
            {
                // A vector of bytes widened twice: four vectors of uint.
                for (; i <= values.Length - Vector<byte>.Count; i += Vector<byte>.Count)
                {
                    Vector.Widen(Vector.LoadUnsafe(ref ps, (nuint)i), out var low, out var high);
                    Vector.Widen(low, out var first, out var second);
                    Vector.Widen(high, out var third, out var fourth);
                    StoreLevels(first, ref vs, i);
                    StoreLevels(second, ref vs, i + lanes);
                    StoreLevels(third, ref vs, i + (2 * lanes));
                    StoreLevels(fourth, ref vs, i + (3 * lanes));
                }
            }
        }

        for (; i < values.Length; i++)
        {
            Unsafe.Add(ref vs, i) = Unsafe.Add(ref ps, (i * bytesPerPixel) + channel) / 255f;
        }
    }

    private static void StoreLevels(Vector<uint> levels, ref float values, int at) =>
        (Vector.ConvertToSingle(levels.As<uint, int>()) / new Vector<float>(255f)).StoreUnsafe(ref values, (nuint)at);

    /// <summary>levels[i] = <see cref="PixelConversion.Quantise"/>(values[i]): clamped to [0, 1], times 255, rounded half to even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantise(ReadOnlySpan<float> values, Span<byte> levels)
    {
        levels = levels[..values.Length]; // bounds: the unchecked loads and stores below stay inside both
        ref var xs = ref MemoryMarshal.GetReference(values);
        ref var ls = ref MemoryMarshal.GetReference(levels);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Four vectors of floats narrow to one of bytes: int → short → byte.
            for (; i <= values.Length - (4 * Vector<float>.Count); i += 4 * Vector<float>.Count)
            {
                var low = Vector.Narrow(Level(ref xs, i), Level(ref xs, i + Vector<float>.Count));
                var high = Vector.Narrow(Level(ref xs, i + (2 * Vector<float>.Count)), Level(ref xs, i + (3 * Vector<float>.Count)));
                Vector.StoreUnsafe(Vector.Narrow(Vector.AsVectorUInt16(low), Vector.AsVectorUInt16(high)), ref ls, (nuint)i);
            }
        }

        for (; i < values.Length; i++)
        {
            levels[i] = PixelConversion.Quantise(values[i]);
        }
    }

    /// <summary>y[i] = Math.Clamp(x[i], 0, 1).</summary>
    public static void Clamp(ReadOnlySpan<float> x, Span<float> y) => ElementwiseLoops.Map(x, y, new ClampToUnit());

    /// <summary>y[i] = (x[i] − min) / range.</summary>
    public static void Normalize(ReadOnlySpan<float> x, float min, float range, Span<float> y) => ElementwiseLoops.Map(x, y, new Normalized(min, range));

    /// <summary>y[i] = Math.Min(|x[i]| / scale, 1).</summary>
    public static void Abs(ReadOnlySpan<float> x, float scale, Span<float> y) => ElementwiseLoops.Map(x, y, new ScaledMagnitude(scale));

    /// <summary>
    /// The signed map's colours: at each pixel the channel of largest |v| (the first on a tie),
    /// divided by <paramref name="scale"/> (0 when the scale is 0), as <see cref="Display.SignedColor"/>
    /// draws it: response (C, plane) to picture (3, plane).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Signed(ReadOnlySpan<float> response, int channels, int plane, float scale, Span<float> picture)
    {
        response = response[..(channels * plane)];
        picture = picture[..(3 * plane)];
        ref var xs = ref MemoryMarshal.GetReference(response);
        ref var ps = ref MemoryMarshal.GetReference(picture);
        var p = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var (one, minusOne, s) = (Vector<float>.One, -Vector<float>.One, new Vector<float>(scale));
            for (; p <= plane - Vector<float>.Count; p += Vector<float>.Count)
            {
                var strongest = Vector.LoadUnsafe(ref xs, (nuint)p);
                for (var c = 1; c < channels; c++)
                {
                    var v = Vector.LoadUnsafe(ref xs, (nuint)((c * plane) + p));
                    strongest = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Abs(v), Vector.Abs(strongest)), v, strongest);
                }

                var t = scale > 0 ? Vector.Min(Vector.Max(strongest / s, minusOne), one) : Vector<float>.Zero;
                var positive = Vector.GreaterThanOrEqual(t, Vector<float>.Zero);
                var (fade, rise) = (one - t, one + t);
                Vector.StoreUnsafe(Vector.ConditionalSelect(positive, one, rise), ref ps, (nuint)p);
                Vector.StoreUnsafe(Vector.ConditionalSelect(positive, fade, rise), ref ps, (nuint)(plane + p));
                Vector.StoreUnsafe(Vector.ConditionalSelect(positive, fade, one), ref ps, (nuint)((2 * plane) + p));
            }
        }

        for (; p < plane; p++)
        {
            var strongest = response[p];
            for (var c = 1; c < channels; c++)
            {
                var v = response[(c * plane) + p];
                strongest = MathF.Abs(v) > MathF.Abs(strongest) ? v : strongest;
            }

            (picture[p], picture[plane + p], picture[(2 * plane) + p]) = Display.SignedColor(scale > 0 ? strongest / scale : 0f);
        }
    }

    /// <summary>Levels of Count values from <paramref name="i"/> on, as ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Level(ref float xs, int i)
    {
        var v = Vector.Min(Vector.Max(Vector.LoadUnsafe(ref xs, (nuint)i), Vector<float>.Zero), Vector<float>.One);
        return Vector.ConvertToInt32(Vector.Round(v * new Vector<float>(255f)));
    }

    private readonly struct ClampToUnit : IUnaryOperator
    {
        public bool Vectorizable => true;

        public float Invoke(float x) => Math.Clamp(x, 0f, 1f);

        public Vector<float> Invoke(Vector<float> x) => Vector.Min(Vector.Max(x, Vector<float>.Zero), Vector<float>.One);
    }

    private readonly struct Normalized(float min, float range) : IUnaryOperator
    {
        public bool Vectorizable => true;

        public float Invoke(float x) => (x - min) / range;

        public Vector<float> Invoke(Vector<float> x) => (x - new Vector<float>(min)) / new Vector<float>(range);
    }

    private readonly struct ScaledMagnitude(float scale) : IUnaryOperator
    {
        public bool Vectorizable => true;

        public float Invoke(float x) => Math.Min(MathF.Abs(x) / scale, 1f);

        public Vector<float> Invoke(Vector<float> x) => Vector.Min(Vector.Abs(x) / new Vector<float>(scale), Vector<float>.One);
    }
}
