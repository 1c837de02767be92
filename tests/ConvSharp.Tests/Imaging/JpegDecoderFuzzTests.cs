using System.Diagnostics;
using System.Runtime.InteropServices;
using ConvSharp.Tests.Support;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// Seeded mutations of valid JPEGs (bytes changed, files cut short, markers inserted, segments
/// lengthened): the fast decoder must give SkiaSharp's pixels or refuse, and never throw or hang.
/// </summary>
[Trait("Category", "Fuzz")]
public class JpegDecoderFuzzTests
{
    /// <summary>
    /// Whether SkiaSharp's libjpeg-turbo runs its C code, which the fast decoder reproduces: on
    /// x64, where it is built without SIMD. On ARM64 it runs its NEON code, which on damaged data
    /// need not give the C code's pixels (CI saw one such mutation under QEMU); ConvSharp leaves
    /// every JPEG to SkiaSharp there (<see cref="ConvSharp.Imaging.Jpeg.JpegDecoder.PaysHere"/>).
    /// </summary>
    private static bool SkiaRunsLibjpegsCCode => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [Fact]
    public void Mutated_files_decode_as_skia_decodes_them_or_are_refused()
    {
        var seeds = Seeds();
        var random = new Random(20261202);
        var (accepted, refused) = (0, 0);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 6000; i++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var file = Mutate(seed, random);
            var fast = JpegDecoding.Fast(file);
            if (fast is null)
            {
                refused++;
                continue;
            }

            accepted++;
            if (!SkiaRunsLibjpegsCCode)
            {
                continue; // decoded without throwing is what can be asked here
            }

            var skia = JpegDecoding.Skia(file);
            Assert.True(skia is not null, $"mutation {i}: taken by the fast decoder, refused by SkiaSharp");
            Assert.True(skia.AsSpan().SequenceEqual(fast), $"mutation {i}: first difference at {JpegDecoding.FirstDifference(skia, fast)}");
        }

        // Both outcomes must occur, or the mutations test nothing.
        Assert.InRange(accepted, 300, 6000);
        Assert.InRange(refused, 300, 6000);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{clock.Elapsed}");
    }

    private static byte[][] Seeds()
    {
        var seeds = new List<byte[]>();
        foreach (var (picture, width, height) in new[] { ("photo", 33, 17), ("noise", 19, 21), ("checkerboard", 16, 9) })
        {
            var rgba = JpegDecoderFileTests.Picture(picture, width, height);
            seeds.Add(JpegDecoding.EncodeWithSkia(rgba, width, height, true, 90, SKJpegEncoderDownsample.Downsample444));
            foreach (var downsample in new[] { SKJpegEncoderDownsample.Downsample444, SKJpegEncoderDownsample.Downsample422, SKJpegEncoderDownsample.Downsample420 })
            {
                seeds.Add(JpegDecoding.EncodeWithSkia(rgba, width, height, false, 75, downsample));
            }
        }

        foreach (var name in new[] { "accept-rst1-420-q90.jpg", "accept-rst5-gray-q50-17x17.jpg", "accept-rst3-420-q75-37x29.jpg" })
        {
            seeds.Add(File.ReadAllBytes(Photos.Fixture("jpeg-decoder", name)));
        }

        return [.. seeds];
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var file = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0: // a few bytes changed anywhere
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    file[random.Next(file.Length)] = (byte)random.Next(256);
                }

                return file;
            case 1: // one bit flipped in the entropy-coded data's neighbourhood (the last two thirds)
                var at = random.Next(file.Length / 3, file.Length);
                file[at] ^= (byte)(1 << random.Next(8));
                return file;
            case 2: // cut short
                return file[..random.Next(file.Length)];
            case 3: // a marker inserted
                var where = random.Next(2, file.Length);
                byte[] marker = [0xFF, (byte)random.Next(0xC0, 0x100)];
                return [.. file[..where], .. marker, .. file[where..]];
            case 4: // a header byte (the first 200) changed
                file[random.Next(Math.Min(200, file.Length))] = (byte)random.Next(256);
                return file;
            default: // a byte removed or duplicated
                var i = random.Next(file.Length);
                return random.Next(2) == 0 ? [.. file[..i], .. file[(i + 1)..]] : [.. file[..i], file[i], .. file[i..]];
        }
    }
}
