using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;
using ConvSharp.Interop;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// One image through the filter: load, filter, map, write the picture (and the raw response),
/// each file atomically. Memory: the image at 8 bits per channel, the picture at 8 bits per
/// channel, and the float work in bands (<see cref="BandedFilter"/>). An image of one band is
/// filtered once; a larger one is filtered again for each statistic its map needs (the range,
/// then the scale), and the last pass hands the image's rows back as it goes down.
/// </summary>
internal sealed record ApplyJob(KernelSpec Kernel, FilterSettings Settings, string? Format, bool WriteNpy)
{
    /// <summary>Floats of one band; tests make it small to cut images into many bands.</summary>
    public long BandFloats { get; init; } = BandedFilter.BandFloats;

    /// <summary>Where the time goes, summed over every image this job filters.</summary>
    public ApplyProfile Profile { get; init; } = new();

    /// <summary>PNG compression, 0 to 9 (<see cref="ImageFile.DefaultPngCompression"/>).</summary>
    public int Compression { get; init; } = ImageFile.DefaultPngCompression;

    /// <summary>Filters <paramref name="input"/> into <paramref name="output"/>; returns the display mapping used.</summary>
    /// <param name="input">the image</param>
    /// <param name="output">the picture</param>
    /// <param name="commit">takes the encoded picture to put in place later (<see cref="BackgroundCommits"/>); null to do so before returning</param>
    public DisplayMap Run(string input, string output, Action<AtomicFile.Pending>? commit = null)
    {
        try
        {
            return Filter(input, output, commit);
        }
        catch (ArgumentException e)
        {
            // The library's words (a kernel that does not fit, a response that overflows float32) with the image they came from.
            throw new CommandFailedException($"{input}: {CliContext.Describe(e)}");
        }
    }

    private DisplayMap Filter(string input, string output, Action<AtomicFile.Pending>? commit)
    {
        var t = ApplyProfile.Now();
        using var image = ImageFile.Open(input, options: null, beforeDecode: (width, height) => CheckOutputSize(input, width, height));
        t = Profile.Lap(ApplyProfile.Stage.Decode, t);
        var filter = ImageFilter.For(Kernel, image.Channels, Settings.Convolve);
        var map = Settings.Map ?? ImageFilter.ChooseMap(Kernel);
        var pictureChannels = DisplayMapping.PictureChannels(map, filter.OutputChannels);
        if (pictureChannels is not (1 or 3 or 4))
        {
            throw new CommandFailedException(
                $"the kernel makes {filter.OutputChannels} output channels, and a picture has 1, 3 or 4: use --map signed (which shows the strongest channel) or a kernel with 1, 3 or 4 outputs");
        }

        var bands = new BandedFilter(image, filter, Settings, pictureChannels, BandFloats);
        var single = bands.Bands == 1 ? Response(bands, 0, ref t) : null;
        var mapping = single is null ? Fit(bands, map, ref t) : Display.Fit(map, Display.DefaultSaturate, single.AsReadOnlySpan());

        using var picture = new PictureRows(pictureChannels, bands.OutputHeight, bands.OutputWidth);
        using var npy = WriteNpy ? new NpyRows(Path.ChangeExtension(output, ".npy"), bands.OutputChannels, bands.OutputHeight, bands.OutputWidth) : null;
        var mapped = GC.AllocateUninitializedArray<float>(checked(pictureChannels * bands.BandRows * bands.OutputWidth)); // each band writes what it reads
        for (var band = 0; band < bands.Bands; band++)
        {
            var response = (single ?? Response(bands, band, ref t)).AsReadOnlySpan();
            if (single is null && !DisplayMapping.NeedsRange(map))
            {
                ResponseStatistics.RefuseNonFinite(response); // clamp gathers no statistics, yet refuses what one band refuses
            }

            var (first, count) = bands.Rows(band);
            var plane = count * bands.OutputWidth;
            mapping.Apply(response, bands.OutputChannels, plane, mapped);
            t = Profile.Lap(ApplyProfile.Stage.Map, t);
            picture.Write(first, count, mapped);
            t = Profile.Lap(ApplyProfile.Stage.Quantise, t);
            npy?.Write(first, count, response);
            image.ReleaseRowsBefore(bands.FirstRowNeededAfter(band));
            t = Profile.Lap(ApplyProfile.Stage.Write, t);
        }

        npy?.Commit();
        t = Profile.Lap(ApplyProfile.Stage.Write, t);
        ImageFile.SavePicture(picture, output, compression: Compression, onEncoded: () => t = Profile.Lap(ApplyProfile.Stage.Encode, t), commit: commit);
        Profile.Lap(ApplyProfile.Stage.Write, t);
        Profile.Done();
        return map;
    }

    /// <summary>The response to one band, its two stages timed.</summary>
    private Tensor Response(BandedFilter bands, int band, ref long t)
    {
        var slab = bands.Slab(band);
        t = Profile.Lap(ApplyProfile.Stage.ToFloat, t);
        var response = bands.Filter(slab);
        t = Profile.Lap(ApplyProfile.Stage.Filter, t);
        return response;
    }

    /// <summary>
    /// Refuses, from the file's header alone and before anything is decoded or allocated, a
    /// response larger than the pictures apply draws (the limit images have on the way in).
    /// </summary>
    private void CheckOutputSize(string input, int width, int height)
    {
        var (kh, kw) = (Kernel.Weight.Shape[^2], Kernel.Weight.Shape[^1]);
        var (top, bottom, left, right) = Settings.Padding.For(height, width, (kh, kw), Settings.Stride);
        var (mirrors, reach) = Settings.Mode switch
        {
            PaddingMode.Reflect => ("mirrors the image without repeating its edge", 1),
            PaddingMode.Symmetric => ("mirrors the image once", 0),
            PaddingMode.Circular => ("wraps the image round once", 0),
            _ => ("", 0),
        };
        if (mirrors.Length > 0 && (Math.Max(top, bottom) > height - reach || Math.Max(left, right) > width - reach))
        {
            throw new CommandFailedException(
                $"{input}: --mode {Settings.Mode.ToString().ToLowerInvariant()} {mirrors}, so the padding can be at most {height - reach} rows and {width - reach} columns "
                + $"for this {width}×{height} image, but --padding {Settings.Padding} asks for (top {top}, bottom {bottom}, left {left}, right {right})");
        }

        var (rows, columns) = ((long)height + top + bottom - kh, (long)width + left + right - kw);
        if (rows < 0 || columns < 0)
        {
            return; // the kernel does not fit; the filter says so in its words
        }

        var (oh, ow) = ((rows / Settings.Stride) + 1, (columns / Settings.Stride) + 1);
        if (oh * ow > ImageFile.MaxPixels)
        {
            throw new CommandFailedException(
                $"{input}: with padding {Settings.Padding} the {width}×{height} image would give a {ow}×{oh} response, more than the {ImageFile.MaxPixels} pixels apply draws; use a smaller --padding");
        }
    }

    /// <summary>The map's statistics over every band: one pass for the range, a second for the scale of abs and signed.</summary>
    private DisplayMapping Fit(BandedFilter bands, DisplayMap map, ref long t)
    {
        if (!DisplayMapping.NeedsRange(map))
        {
            return new DisplayMapping(map, 0f, 0f, 0f);
        }

        var count = (long)bands.OutputChannels * bands.OutputHeight * bands.OutputWidth;
        var statistics = new ResponseStatistics(count, Display.DefaultSaturate, DisplayMapping.NeedsScale(map));
        for (var band = 0; band < bands.Bands; band++)
        {
            statistics.Observe(Response(bands, band, ref t).AsReadOnlySpan());
            t = Profile.Lap(ApplyProfile.Stage.Map, t);
        }

        if (!DisplayMapping.NeedsScale(map))
        {
            return new DisplayMapping(map, statistics.Min, statistics.Max, 0f);
        }

        for (var band = 0; band < bands.Bands; band++)
        {
            statistics.ObserveAgain(Response(bands, band, ref t).AsReadOnlySpan());
            t = Profile.Lap(ApplyProfile.Stage.Map, t);
        }

        return new DisplayMapping(map, statistics.Min, statistics.Max, statistics.Scale());
    }

    /// <summary>
    /// The output name for an input: its own name where the extension is one ConvSharp writes
    /// (.png, .jpg, .webp), else .png; or the extension <see cref="Format"/> asks for.
    /// </summary>
    public string OutputName(string inputName)
    {
        var extension = Format is not null ? "." + Format.TrimStart('.')
            : ImageFile.WritableExtensions.Contains(Path.GetExtension(inputName)) ? Path.GetExtension(inputName)
            : ".png";
        return Path.ChangeExtension(inputName, extension);
    }

    /// <summary>The raw response as a .npy of (OC, OH, OW), written a band of rows at a time into its place in each channel.</summary>
    private sealed class NpyRows : IDisposable
    {
        private readonly AtomicFile.Pending _file;
        private readonly int _header;
        private readonly (int Channels, int Height, int Width) _shape;

        public NpyRows(string path, int channels, int height, int width)
        {
            _file = AtomicFile.Create(path);
            _shape = (channels, height, width);
            _header = NpyFormat.WriteHeader(_file.Stream, [channels, height, width]);
        }

        public void Write(int first, int count, ReadOnlySpan<float> band)
        {
            var plane = count * _shape.Width;
            try
            {
                for (var c = 0; c < _shape.Channels; c++)
                {
                    _file.Stream.Position = _header + (4 * ((((long)c * _shape.Height) + first) * _shape.Width));
                    NpyFormat.WriteValues(_file.Stream, band.Slice(c * plane, plane));
                }
            }
            catch (IOException e)
            {
                throw _file.Failure(e);
            }
        }

        public void Commit() => _file.Commit();

        public void Dispose() => _file.Dispose();
    }
}
