using ConvSharp.Imaging.Jpeg;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The JPEG decoder's vector kernels against their scalar references: the AVX2 IDCT (and its
/// dispatch, with the DC-only shortcut and the 64-bit fallback), the Vector128 fancy upsampling
/// and YCbCr → RGBA.
/// Marked Kernels, so CI runs them again under DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0.
/// </summary>
[Trait("Category", "Kernels")]
public unsafe class JpegDecoderKernelTests
{
    /// <summary>Coefficient magnitudes from typical to the 32-bit path's bounds and far past them.</summary>
    public static TheoryData<int> Magnitudes() => [0, 1, 16, 255, 1024, 2047, 4095, 8191, 8192, 30000, 1 << 20, 8_355_585];

    [Theory]
    [MemberData(nameof(Magnitudes))]
    public void Idct_equals_the_64_bit_reference(int magnitude)
    {
        var random = new Random(magnitude);
        var block = new int[64];
        var expected = new byte[8 * 13];
        var actual = new byte[8 * 13];
        for (var trial = 0; trial < 400; trial++)
        {
            Array.Clear(block);
            var kind = trial % 4;
            var count = kind switch { 0 => 1, 1 => 64, _ => random.Next(1, 12) };
            var hasAc = false;
            for (var i = 0; i < count; i++)
            {
                var at = kind == 0 ? 0 : random.Next(64);
                block[at] = kind == 3 ? (random.Next(2) == 0 ? magnitude : -magnitude) : random.Next(-magnitude, magnitude + 1);
                hasAc |= at != 0 && block[at] != 0;
            }

            var flags = hasAc ? JpegDecoderIdct.HasAc : 0;
            JpegDecoderIdct.Reference(block, expected, 13);
            Array.Fill(actual, (byte)0xA5);
            fixed (int* b = block)
            fixed (byte* o = actual)
            {
                JpegDecoderIdct.Transform(b, o, 13, flags);
            }

            for (var y = 0; y < 8; y++)
            {
                Assert.True(expected.AsSpan(13 * y, 8).SequenceEqual(actual.AsSpan(13 * y, 8)), $"magnitude {magnitude}, trial {trial}, row {y}");
                Assert.All(actual.AsSpan((13 * y) + 8, 5).ToArray(), v => Assert.Equal(0xA5, v)); // nothing beside the block
            }

            // Directly: equal, or declined (always beyond MaxCoefficient).
            if (JpegDecoderIdctAvx2.IsSupported)
            {
                Array.Fill(actual, (byte)0xA5);
                fixed (int* b = block)
                fixed (byte* o = actual)
                {
                    if (!JpegDecoderIdctAvx2.TryTransform(b, o, 13))
                    {
                        Assert.True(block.Any(v => Math.Abs(v) > JpegDecoderIdctAvx2.MaxCoefficient) || magnitude >= 128, $"declined, magnitude {magnitude}"); // below 128 the first pass stays under MaxWorkspace
                        continue;
                    }
                }

                for (var y = 0; y < 8; y++)
                {
                    Assert.True(expected.AsSpan(13 * y, 8).SequenceEqual(actual.AsSpan(13 * y, 8)), $"AVX2, magnitude {magnitude}, trial {trial}, row {y}");
                }
            }
        }
    }

    [Fact]
    public void Upsampling_equals_the_scalar_references()
    {
        var random = new Random(11);
        for (var n = 1; n <= 80; n++)
        {
            foreach (var kind in new[] { "random", "extremes" })
            {
                var (near, far) = (new byte[n], new byte[n]);
                random.NextBytes(near);
                random.NextBytes(far);
                if (kind == "extremes")
                {
                    for (var i = 0; i < n; i++)
                    {
                        (near[i], far[i]) = ((byte)(random.Next(2) * 255), (byte)(random.Next(2) * 255));
                    }
                }

                var expected = new byte[2 * n];
                var actual = Enumerable.Repeat((byte)0xA5, (2 * n) + 9).ToArray();
                JpegDecoderColor.UpsampleH2V1Scalar(near, expected);
                JpegDecoderColor.UpsampleH2V1(near, actual.AsSpan(0, 2 * n));
                Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, 2 * n)), $"h2v1, {n} samples, {kind}");
                JpegDecoderColor.UpsampleH2V2Scalar(near, far, expected);
                JpegDecoderColor.UpsampleH2V2(near, far, actual.AsSpan(0, 2 * n));
                Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, 2 * n)), $"h2v2, {n} samples, {kind}");
                Assert.All(actual[(2 * n)..], v => Assert.Equal(0xA5, v));
            }
        }
    }

    /// <summary>libjpeg's range-limit table, built as its documentation lays it out, against the arithmetic form.</summary>
    [Fact]
    public void Range_limit_is_libjpegs_table()
    {
        // Indexed by x & 1023: x + 128 for x in [0, 127], 255 up to 511, 0 up to 895, then x − 896.
        for (var x = -5000; x <= 5000; x++)
        {
            var i = x & 1023;
            var expected = i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896;
            Assert.Equal(expected, JpegDecoderIdct.RangeLimit(x));
        }
    }

    [Fact]
    public void Colour_conversion_equals_the_scalar_reference_and_libjpegs_tables()
    {
        var random = new Random(7);
        foreach (var n in new[] { 1, 2, 15, 16, 17, 31, 32, 33, 47, 64, 65, 278, 1001 })
        {
            var (y, cb, cr) = (new byte[n], new byte[n], new byte[n]);
            random.NextBytes(y);
            random.NextBytes(cb);
            random.NextBytes(cr);
            if (n == 65)
            {
                (y[0], cb[0], cr[0], y[1], cb[1], cr[1]) = (0, 0, 0, 255, 255, 255);
            }

            var expected = new byte[4 * n];
            var actual = Enumerable.Repeat((byte)0xA5, (4 * n) + 8).ToArray();
            JpegDecoderColor.YCbCrToRgbaScalar(y, cb, cr, expected);
            JpegDecoderColor.YCbCrToRgba(y, cb, cr, actual.AsSpan(0, 4 * n));
            Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, 4 * n)), $"{n} pixels");
            Assert.All(actual[(4 * n)..], v => Assert.Equal(0xA5, v));
        }

        // Every (Cb, Cr) with three lumas against libjpeg's documented tables (16-bit fixed point, rounded).
        static int Fix(double x) => (int)((x * 65536) + 0.5);
        var rgba = new byte[4];
        foreach (var luma in new byte[] { 0, 128, 255 })
        {
            for (var cb = 0; cb < 256; cb++)
            {
                for (var cr = 0; cr < 256; cr++)
                {
                    int xb = cb - 128, xr = cr - 128;
                    var r = luma + ((Fix(1.402) * xr + 32768) >> 16);
                    var g = luma + ((-Fix(0.34414) * xb + 32768 + (-Fix(0.71414) * xr)) >> 16);
                    var b = luma + ((Fix(1.772) * xb + 32768) >> 16);
                    JpegDecoderColor.YCbCrToRgbaScalar([luma], [(byte)cb], [(byte)cr], rgba);
                    Assert.Equal([(byte)Math.Clamp(r, 0, 255), (byte)Math.Clamp(g, 0, 255), (byte)Math.Clamp(b, 0, 255), 255], rgba);
                }
            }
        }
    }
}
