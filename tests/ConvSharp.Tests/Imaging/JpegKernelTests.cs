using System.Numerics;
using ConvSharp.Imaging.Jpeg;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The JPEG writer's vector loops against their scalar references: the forward DCT with its
/// quantisation, RGB to YCbCr, the 2×2 downsampling; and the bit packing and zigzag masks against
/// plain bit-by-bit versions. Marked Kernels, so CI runs them again under DOTNET_EnableAVX2=0
/// (4 lanes), DOTNET_EnableHWIntrinsic=0 (the scalar loops) and on ARM64 (AdvSimd).
/// </summary>
[Trait("Category", "Kernels")]
public class JpegKernelTests
{
    /// <summary>Odd and even lengths around vectors of 16 and 32 bytes (and 4 and 8 ints), and a long row.</summary>
    private static readonly int[] Lengths = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 95, 97, 127, 128, 129, 255, 1001, 3073];

    private static readonly int[] QualitiesForTables = [1, 10, 50, 75, 95, 100];

    [Fact]
    public void The_DCT_and_quantisation_equal_the_reference_on_every_kind_of_block()
    {
        var rng = new Random(1);
        var samples = new byte[(8 * 37) + 16];
        var (expected, actual) = (new int[64], new int[64 + 8]);
        foreach (var quality in QualitiesForTables)
        {
            foreach (var chroma in new[] { false, true })
            {
                var quantiser = new JpegQuantiser(JpegTables.Quantisation(quality, chroma));
                foreach (var stride in new[] { 8, 9, 37 })
                {
                    foreach (var (kind, block) in Blocks(rng))
                    {
                        for (var r = 0; r < 8; r++)
                        {
                            block.AsSpan(8 * r, 8).CopyTo(samples.AsSpan(r * stride));
                        }

                        var expectedMask = JpegForwardDct.Reference.Transform(samples, stride, quantiser, expected);
                        Array.Fill(actual, 0x5A5A5A5A); // poisoned: every coefficient must be written, and no more
                        var actualMask = JpegForwardDct.Transform(samples, stride, quantiser, actual.AsSpan(0, 64));
                        Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, 64)), $"quality {quality}, {(chroma ? "chroma" : "luma")}, stride {stride}, {kind}: first difference at {expected.AsSpan().CommonPrefixLength(actual)}");
                        Assert.Equal(expectedMask, actualMask);
                        Assert.All(actual[64..], c => Assert.Equal(0x5A5A5A5A, c));
                        Assert.Equal(Enumerable.Range(0, 64).Aggregate(0UL, (m, i) => expected[i] != 0 ? m | (1UL << i) : m), expectedMask);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The integer transform is libjpeg's approximation of eight times the orthonormal 2-D DCT-II:
    /// against the definition in doubles it is off by a few units at most (by about 1 in 8,000 of
    /// the largest coefficient), so a wrong constant or shift would show.
    /// </summary>
    [Fact]
    public void The_reference_DCT_is_eight_times_the_true_DCT_within_a_few_units()
    {
        var rng = new Random(2);
        var worst = 0.0;
        foreach (var (_, block) in Blocks(rng))
        {
            var coefficients = block.Select(s => s - 128).ToArray();
            JpegForwardDct.Reference.ForwardDct(coefficients);
            for (var u = 0; u < 8; u++)
            {
                for (var v = 0; v < 8; v++)
                {
                    var sum = 0.0;
                    for (var y = 0; y < 8; y++)
                    {
                        for (var x = 0; x < 8; x++)
                        {
                            sum += (block[(8 * y) + x] - 128) * Math.Cos((2 * y + 1) * u * Math.PI / 16) * Math.Cos((2 * x + 1) * v * Math.PI / 16);
                        }
                    }

                    var exact = 8 * sum * (u == 0 ? Math.Sqrt(0.125) : 0.5) * (v == 0 ? Math.Sqrt(0.125) : 0.5);
                    worst = Math.Max(worst, Math.Abs(exact - coefficients[(8 * u) + v]));
                }
            }
        }

        Assert.InRange(worst, 0.0, 4.0);
    }

    [Fact]
    public void Quantisation_rounds_half_away_from_zero_by_eight_times_the_table()
    {
        var quantiser = new JpegQuantiser(Enumerable.Range(1, 64).Select(i => (byte)(i * 3)).ToArray());
        var block = new int[64];
        for (var i = 0; i < 64; i++)
        {
            var d = 8 * 3 * (i + 1);
            block[i] = (i % 4) switch { 0 => d / 2, 1 => -(d / 2), 2 => (d / 2) - 1, _ => -((3 * d / 2) - 1) };
        }

        JpegForwardDct.Reference.Quantise(block, quantiser);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (i % 4) switch { 0 => 1, 1 => -1, 2 => 0, _ => -1 }), block);
    }

    [Fact]
    public void Colour_conversion_equals_the_reference_at_every_length()
    {
        var rng = new Random(3);
        foreach (var n in Lengths)
        {
            foreach (var kind in new[] { "random", "extremes" })
            {
                var rgbx = new byte[4 * n];
                byte[] extremes = [0, 1, 127, 128, 254, 255];
                for (var i = 0; i < rgbx.Length; i++)
                {
                    rgbx[i] = kind == "random" ? (byte)rng.Next(256) : extremes[rng.Next(extremes.Length)];
                }

                var expected = (new byte[n], new byte[n], new byte[n]);
                JpegColour.Reference.RgbxToYCbCr(rgbx, expected.Item1, expected.Item2, expected.Item3);
                var actual = (Poisoned(n + 5), Poisoned(n + 5), Poisoned(n + 5));
                JpegColour.RgbxToYCbCr(rgbx, actual.Item1, actual.Item2, actual.Item3);
                foreach (var (e, a, name) in new[] { (expected.Item1, actual.Item1, "Y"), (expected.Item2, actual.Item2, "Cb"), (expected.Item3, actual.Item3, "Cr") })
                {
                    Assert.True(e.AsSpan().SequenceEqual(a.AsSpan(0, n)), $"{name}, {n} pixels, {kind}: first difference at {e.AsSpan().CommonPrefixLength(a)}");
                    Assert.All(a[n..], b => Assert.Equal(0xA5, b));
                }
            }
        }
    }

    /// <summary>The fixed-point conversion against JFIF's formulas in doubles: never more than half a level and a hair away.</summary>
    [Fact]
    public void The_reference_colour_conversion_is_JFIFs_within_rounding()
    {
        var rng = new Random(4);
        var rgbx = new byte[4 * 20000];
        rng.NextBytes(rgbx);
        var (y, cb, cr) = (new byte[20000], new byte[20000], new byte[20000]);
        JpegColour.Reference.RgbxToYCbCr(rgbx, y, cb, cr);
        for (var p = 0; p < 20000; p++)
        {
            double r = rgbx[4 * p], g = rgbx[(4 * p) + 1], b = rgbx[(4 * p) + 2];
            Assert.InRange(y[p] - ((0.299 * r) + (0.587 * g) + (0.114 * b)), -0.51, 0.51);
            Assert.InRange(cb[p] - (128 - (0.168736 * r) - (0.331264 * g) + (0.5 * b)), -0.51, 0.51);
            Assert.InRange(cr[p] - (128 + (0.5 * r) - (0.418688 * g) - (0.081312 * b)), -0.51, 0.51);
        }
    }

    [Fact]
    public void Downsampling_equals_the_reference_at_every_length()
    {
        var rng = new Random(5);
        foreach (var n in Lengths)
        {
            var (top, bottom) = (new byte[2 * n], new byte[2 * n]);
            rng.NextBytes(top);
            rng.NextBytes(bottom);
            if (n % 3 == 0)
            {
                Array.Fill(top, (byte)255);
                Array.Fill(bottom, (byte)254); // sums of 1018 and 1019 with either bias
            }

            var expected = new byte[n];
            JpegColour.Reference.DownsampleH2V2(top, bottom, expected);
            var actual = Poisoned(n + 3);
            JpegColour.DownsampleH2V2([.. top, 9, 9, 9, 9, 9, 9], [.. bottom, 7, 7, 7, 7, 7, 7], actual.AsSpan(0, n));
            Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, n)), $"{n} outputs: first difference at {expected.AsSpan().CommonPrefixLength(actual)}");
            Assert.All(actual[n..], b => Assert.Equal(0xA5, b));
        }
    }

    [Fact]
    public void The_reference_downsampling_biases_alternately_by_1_and_2()
    {
        var output = new byte[4];
        JpegColour.Reference.DownsampleH2V2([1, 1, 1, 1, 1, 1, 1, 1], new byte[8], output);
        Assert.Equal([0, 1, 0, 1], output); // sums of 2: (2 + 1) / 4 = 0, (2 + 2) / 4 = 1
        JpegColour.Reference.DownsampleH2V2([3, 3, 3, 3, 3, 3, 3, 3], new byte[8], output);
        Assert.Equal([1, 2, 1, 2], output); // sums of 6: (6 + 1) / 4 = 1, (6 + 2) / 4 = 2
    }

    [Fact]
    public void Zigzag_masks_put_each_natural_bit_at_its_zigzag_position()
    {
        var rng = new Random(6);
        for (var t = 0; t < 2000; t++)
        {
            var natural = t < 64 ? 1UL << t : (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
            var expected = 0UL;
            for (var k = 0; k < 64; k++)
            {
                expected |= ((natural >> JpegTables.ZigzagToNatural[k]) & 1) << k;
            }

            Assert.Equal(expected, JpegScan.Zigzag(natural));
        }
    }

    /// <summary>
    /// Codes of every length from 1 to 27 bits in random order, many of them all ones (so that
    /// 0xFF bytes need stuffing, inside a word and at its edges), against a bit-by-bit writer,
    /// ending with every count of pending bits from 0 to 64.
    /// </summary>
    [Fact]
    public void Bits_are_packed_stuffed_and_padded_as_the_standard_says()
    {
        var rng = new Random(7);
        for (var trial = 0; trial < 400; trial++)
        {
            var codes = new List<(uint Code, int Length)>();
            var total = 0;
            var target = (64 * rng.Next(1, 6)) + (trial % 65); // every count of bits pending at the end
            while (total < target)
            {
                var length = Math.Min(rng.Next(1, 28), target - total);
                var code = rng.Next(3) == 0 ? (1u << length) - 1 : (uint)rng.NextInt64(1L << length);
                codes.Add((code, length));
                total += length;
            }

            var output = new MemoryStream();
            var writer = new JpegBitWriter(output, new byte[256]);
            var bits = JpegBits.Empty;
            foreach (var (code, length) in codes)
            {
                ref var room = ref writer.Reserve(16);
                var used = 0;
                JpegBits.Put(ref bits.Pending, ref bits.Free, ref room, ref used, code, length);
                writer.Advance(used);
            }

            writer.Pad(bits);
            writer.Flush();
            Assert.Equal(BitByBit(codes), output.ToArray());
        }
    }

    [Fact]
    public void The_vector_path_is_the_one_CI_expects_for_this_environment()
    {
        // CI names the kernel beside each switch: scalar (DOTNET_EnableHWIntrinsic=0), vector128 (DOTNET_EnableAVX2=0), avx2, advsimd (ARM64).
        var expected = Environment.GetEnvironmentVariable("CONVSHARP_TEST_EXPECT_KERNEL");
        if (expected is not null)
        {
            var lanes = expected.ToLowerInvariant() switch
            {
                "scalar" => 0,
                "vector128" or "advsimd" => 4,
                _ => 8,
            };
            Assert.Equal(lanes, JpegForwardDct.Lanes);
        }

        Assert.Equal(Vector.IsHardwareAccelerated ? Vector<int>.Count : 0, JpegForwardDct.Lanes);
    }

    /// <summary>The writer's refusals: room beyond the buffer, and an advance past it.</summary>
    [Fact]
    public void The_writer_refuses_room_it_does_not_have()
    {
        var writer = new JpegBitWriter(Stream.Null, new byte[32]);
        var tooMuch = false;
        try
        {
            writer.Reserve(33);
        }
        catch (ArgumentOutOfRangeException)
        {
            tooMuch = true;
        }

        Assert.True(tooMuch);
        writer.Reserve(20);
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegBitWriter(Stream.Null, new byte[32]).Advance(33));
    }

    /// <summary>Blocks of samples: random, flat, the extremes, stripes and checkerboards, and the sign pattern of each of a few basis functions (the largest coefficients an 8-bit block can have).</summary>
    private static IEnumerable<(string Kind, byte[] Block)> Blocks(Random rng)
    {
        byte[] Make(Func<int, int, int> f) => [.. Enumerable.Range(0, 64).Select(i => (byte)f(i / 8, i % 8))];
        for (var i = 0; i < 20; i++)
        {
            yield return ("random", Make((_, _) => rng.Next(256)));
        }

        yield return ("smooth", Make((y, x) => 100 + (5 * x) + (3 * y) + rng.Next(3)));
        yield return ("zeros", Make((_, _) => 0));
        yield return ("255s", Make((_, _) => 255));
        yield return ("128s", Make((_, _) => 128));
        yield return ("checkerboard", Make((y, x) => ((x + y) & 1) * 255));
        yield return ("columns", Make((_, x) => (x & 1) * 255));
        yield return ("rows", Make((y, _) => (y & 1) * 255));
        foreach (var (u, v) in new[] { (0, 1), (1, 0), (1, 1), (3, 5), (7, 7), (0, 7), (4, 4) })
        {
            yield return ($"basis ({u}, {v})", Make((y, x) => Math.Cos((2 * y + 1) * u * Math.PI / 16) * Math.Cos((2 * x + 1) * v * Math.PI / 16) >= 0 ? 255 : 0));
            yield return ($"basis ({u}, {v}), negated", Make((y, x) => Math.Cos((2 * y + 1) * u * Math.PI / 16) * Math.Cos((2 * x + 1) * v * Math.PI / 16) >= 0 ? 0 : 255));
        }
    }

    private static byte[] Poisoned(int n) => Enumerable.Repeat((byte)0xA5, n).ToArray();

    /// <summary>The codes one bit at a time, most significant first; bytes of 0xFF get a 0x00; the last byte is filled with ones.</summary>
    private static byte[] BitByBit(List<(uint Code, int Length)> codes)
    {
        var bits = new List<int>();
        foreach (var (code, length) in codes)
        {
            for (var k = length - 1; k >= 0; k--)
            {
                bits.Add((int)((code >> k) & 1));
            }
        }

        while (bits.Count % 8 != 0)
        {
            bits.Add(1);
        }

        var bytes = new List<byte>();
        for (var i = 0; i < bits.Count; i += 8)
        {
            var value = (byte)bits.Skip(i).Take(8).Aggregate(0, (a, b) => (a << 1) | b);
            bytes.Add(value);
            if (value == 0xFF)
            {
                bytes.Add(0);
            }
        }

        return [.. bytes];
    }
}
