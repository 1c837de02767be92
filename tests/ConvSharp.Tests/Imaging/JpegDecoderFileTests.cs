using ConvSharp.Imaging;
using ConvSharp.Tests.Support;
using SkiaSharp;

namespace ConvSharp.Tests.Imaging;

/// <summary>
/// The fast JPEG decoder on odd sizes, extreme pictures and the fixture files: identical to
/// SkiaSharp where it takes a file, and refusing the kinds it leaves to SkiaSharp.
/// </summary>
public class JpegDecoderFileTests
{
    private static readonly (int Width, int Height)[] Sizes =
        [(1, 1), (1, 17), (17, 1), (2, 2), (3, 3), (4, 5), (5, 4), (7, 9), (15, 17), (17, 17), (16, 16), (33, 65), (65, 33)];

    public static TheoryData<string> Pictures() => ["photo", "black", "white", "checkerboard", "checkerboard 8", "noise", "ramps"];

    [Theory]
    [MemberData(nameof(Pictures))]
    public void Odd_sizes_and_extreme_pictures_decode_as_skia_decodes_them(string picture)
    {
        foreach (var (width, height) in Sizes)
        {
            var rgba = Picture(picture, width, height);
            foreach (var quality in new[] { 1, 50, 95, 100 })
            {
                AssertBothKinds(rgba, width, height, quality, $"{picture} {width}×{height} q{quality}");
            }
        }
    }

    [Fact]
    public void A_DC_predictor_pushed_past_the_range_of_int_is_left_to_skia()
    {
        // A forged gray 2104×2104 file (69,169 blocks) whose every block adds the largest DC
        // difference, +32767: the predictor passes int.MaxValue near block 65,538. Libjpeg-turbo
        // 2.1 stops there with an error; the fast decoder refuses it, and SkiaSharp decides.
        var file = ForgedDcFile(2104, 2104);
        Assert.Null(JpegDecoding.Fast(file));
        var skia = JpegDecoding.Skia(file);
        using var stream = new MemoryStream(file);
        if (skia is null)
        {
            Assert.Throws<InvalidDataException>(() => ImageFile.Decode(stream, "forged.jpg"));
        }
        else
        {
            var levels = ImageFile.Decode(stream, "forged.jpg").ToArray().Select(v => (byte)MathF.Round(v * 255)).ToArray();
            Assert.Equal(skia, levels);
        }
    }

    /// <summary>A baseline gray JPEG, all quantisers 1, whose blocks each code DC difference +32767 and no AC.</summary>
    private static byte[] ForgedDcFile(int width, int height)
    {
        var bytes = new List<byte> { 0xFF, 0xD8 };
        bytes.AddRange([0xFF, 0xDB, 0x00, 0x43, 0x00, .. Enumerable.Repeat((byte)1, 64)]);
        bytes.AddRange([0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00]);
        byte[] oneSymbol(byte table, byte symbol) => [0xFF, 0xC4, 0x00, 0x14, table, 0x01, .. new byte[15], symbol];
        bytes.AddRange(oneSymbol(0x00, 15)); // DC: the one code "0" is category 15
        bytes.AddRange(oneSymbol(0x10, 0x00)); // AC: the one code "0" is end of block
        bytes.AddRange([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        var (acc, count) = (0UL, 0);
        void put(ulong value, int n)
        {
            (acc, count) = ((acc << n) | value, count + n);
            while (count >= 8)
            {
                var b = (byte)(acc >> (count - 8));
                bytes.Add(b);
                if (b == 0xFF)
                {
                    bytes.Add(0x00);
                }

                count -= 8;
            }
        }

        var blocks = ((width + 7) / 8) * ((height + 7) / 8);
        for (var i = 0; i < blocks; i++)
        {
            put(0, 1);          // DC category 15
            put(0x7FFF, 15);    // +32767
            put(0, 1);          // end of block
        }

        if (count > 0)
        {
            put((1UL << (8 - count)) - 1, 8 - count); // padded with ones
        }

        bytes.AddRange([0xFF, 0xD9]);
        return [.. bytes];
    }

    [Fact]
    public void Extreme_pictures_at_photo_size_decode_as_skia_decodes_them()
    {
        foreach (var picture in new[] { "checkerboard", "noise" })
        {
            var rgba = Picture(picture, 131, 97);
            AssertBothKinds(rgba, 131, 97, 100, $"{picture} 131×97 q100");
        }
    }

    /// <summary>SOF1 (extended sequential, 8-bit, Huffman) is decoded as libjpeg decodes SOF0: the same file marked so.</summary>
    [Fact]
    public void Extended_sequential_frames_decode_as_skia_decodes_them()
    {
        var rgba = Picture("photo", 33, 65);
        foreach (var (gray, downsample) in new[] { (true, SKJpegEncoderDownsample.Downsample444), (false, SKJpegEncoderDownsample.Downsample420), (false, SKJpegEncoderDownsample.Downsample422) })
        {
            var file = JpegDecoding.EncodeWithSkia(rgba, 33, 65, gray, 90, downsample);
            var sof = file.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
            file[sof + 1] = 0xC1;
            JpegDecoderIdentityTests.AssertIdentical(file, $"SOF1 {downsample} gray {gray}");
        }
    }

    public static TheoryData<string> Accepted() => [.. FixtureNames("accept-")];

    public static TheoryData<string> Refused() => [.. FixtureNames("refuse-")];

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Fixture_files_decode_as_skia_decodes_them(string name) =>
        JpegDecoderIdentityTests.AssertIdentical(File.ReadAllBytes(Photos.Fixture("jpeg-decoder", name)), name);

    [Theory]
    [MemberData(nameof(Refused))]
    public void Other_kinds_are_refused_and_skia_decodes_them(string name)
    {
        var file = File.ReadAllBytes(Photos.Fixture("jpeg-decoder", name));
        Assert.Null(JpegDecoding.Fast(file));
        Assert.NotNull(JpegDecoding.Skia(file));
    }

    private static IEnumerable<string> FixtureNames(string prefix) =>
        Directory.GetFiles(Photos.Fixture("jpeg-decoder"), prefix + "*.jpg").Select(Path.GetFileName).Order()!;

    private static void AssertBothKinds(byte[] rgba, int width, int height, int quality, string what)
    {
        JpegDecoderIdentityTests.AssertIdentical(JpegDecoding.EncodeWithSkia(rgba, width, height, true, quality, SKJpegEncoderDownsample.Downsample444), what + " gray");
        foreach (var downsample in new[] { SKJpegEncoderDownsample.Downsample444, SKJpegEncoderDownsample.Downsample422, SKJpegEncoderDownsample.Downsample420 })
        {
            JpegDecoderIdentityTests.AssertIdentical(JpegDecoding.EncodeWithSkia(rgba, width, height, false, quality, downsample), $"{what} {downsample}");
        }
    }

    /// <summary>Opaque RGBA pictures: a photo crop, flat black or white, 1- and 8-pixel checkerboards, seeded noise, colour ramps.</summary>
    internal static byte[] Picture(string kind, int width, int height)
    {
        if (kind == "photo")
        {
            var (photo, w, h) = JpegDecoding.Photo("coffee.png", 211, 123, width, height);
            Assert.Equal((width, height), (w, h));
            return photo;
        }

        var rgba = new byte[width * height * 4];
        var random = new Random(width * 1000 + height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var at = 4 * ((y * width) + x);
                for (var c = 0; c < 3; c++)
                {
                    rgba[at + c] = kind switch
                    {
                        "black" => 0,
                        "white" => 255,
                        "checkerboard" => (byte)(((x + y + c) & 1) == 0 ? 0 : 255),
                        "checkerboard 8" => (byte)((((x >> 3) + (y >> 3) + c) & 1) == 0 ? 0 : 255),
                        "noise" => (byte)random.Next(256),
                        _ => (byte)((x * 255 / Math.Max(1, width - 1)) ^ (c * y * 37)), // ramps
                    };
                }

                rgba[at + 3] = 255;
            }
        }

        return rgba;
    }
}
