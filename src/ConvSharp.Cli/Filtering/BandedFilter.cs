using ConvSharp.Cli.CommandLine;
using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// Filters an image a band of output rows at a time, so that memory follows the band, not the
/// image: each band reads the rows of the image its windows cover (with the vertical border
/// built from the image's own rows, as the border mode says) and convolves them with the
/// horizontal border alone. A band is as many rows as fit <see cref="BandFloats"/>; an image
/// that fits in one band is filtered exactly as one call to <see cref="Functional.Conv2d"/> would.
/// </summary>
internal sealed class BandedFilter
{
    /// <summary>
    /// Floats of input, response and picture one band may hold: 128 MB, so that a photograph of up
    /// to 3.7 megapixels in colour (11 in gray) is one band, filtered once whatever its map needs.
    /// </summary>
    public const long BandFloats = 32L << 20;

    private readonly ImageRaster _image;
    private readonly ImageFilter _filter;
    private readonly FilterSettings _settings;
    private readonly (int Top, int Bottom, int Left, int Right) _pads;

    /// <param name="image">the decoded image</param>
    /// <param name="filter">the kernel, as a convolution over this image</param>
    /// <param name="settings">stride, padding, border mode</param>
    /// <param name="pictureChannels">channels of the picture each band is mapped to (counted in the band's memory)</param>
    /// <param name="bandFloats">memory of one band, in floats (tests pass a small one to cut images into many bands)</param>
    public BandedFilter(ImageRaster image, ImageFilter filter, FilterSettings settings, int pictureChannels, long bandFloats = BandFloats)
    {
        (_image, _filter, _settings) = (image, filter, settings);
        var (kh, kw) = (filter.KernelHeight, filter.KernelWidth);
        if (kh > image.Height || kw > image.Width)
        {
            throw new CommandFailedException($"the kernel ({kh}×{kw}) is larger than the image ({image.Height}×{image.Width}); a kernel must fit inside the image");
        }

        (OutputHeight, OutputWidth) = filter.OutputSize(image.Channels, image.Height, image.Width, settings);
        _pads = settings.Padding.For(image.Height, image.Width, (kh, kw), settings.Stride);
        OutputChannels = filter.OutputChannels;

        // Rows per band R: C·((R − 1)·s + KH)·W floats of input, (OC + picture)·R·OW of output.
        var perRow = ((long)image.Channels * settings.Stride * image.Width) + ((long)(OutputChannels + pictureChannels) * OutputWidth);
        var fixedPart = (long)image.Channels * Math.Max(kh - settings.Stride, 0) * image.Width;
        BandRows = (int)Math.Clamp((bandFloats - fixedPart) / Math.Max(perRow, 1), 1, OutputHeight);
        Bands = (OutputHeight + BandRows - 1) / BandRows;
    }

    public int OutputChannels { get; }

    public int OutputHeight { get; }

    public int OutputWidth { get; }

    /// <summary>Output rows per band (the last may have fewer).</summary>
    public int BandRows { get; }

    public int Bands { get; }

    /// <summary>The first output row of band <paramref name="band"/>, and its row count.</summary>
    public (int First, int Count) Rows(int band) => (band * BandRows, Math.Min(BandRows, OutputHeight - (band * BandRows)));

    /// <summary>The response to a <see cref="Slab"/>: (OC, rows, OW).</summary>
    public Tensor Filter(Tensor slab) => _filter.Apply(slab, _settings, _pads.Left, _pads.Right);

    /// <summary>The image rows band <paramref name="band"/> reads, as floats with the vertical border in place: (C, rows, W).</summary>
    public Tensor Slab(int band)
    {
        var (first, count) = Rows(band);
        var (c, w, stride) = (_image.Channels, _image.Width, _settings.Stride);
        var padded0 = (long)first * stride;                              // first padded row the band reads
        var needed = ((count - 1) * stride) + _filter.KernelHeight;      // padded rows it reads
        // Uninitialised: every row is written below (perf: the GC zeroing a fresh slab took as long as the 3×3 filter).
        var slab = GC.AllocateUninitializedArray<float>(checked(c * needed * w));

        // The band's rows inside the image, read straight into their place in each channel.
        var inside0 = (int)Math.Clamp(padded0 - _pads.Top, 0, _image.Height);
        var inside1 = (int)Math.Clamp(padded0 + needed - _pads.Top, inside0, _image.Height);
        if (inside1 > inside0)
        {
            var offset = (int)(inside0 + _pads.Top - padded0);
            _image.ReadRows(inside0, inside1 - inside0, slab.AsSpan(offset * w), (long)needed * w);
        }

        // Rows in the vertical border: a copy of the image row the mode names, or zeros.
        var row = new float[(long)c * w];
        for (var r = 0; r < needed; r++)
        {
            var position = padded0 + r - _pads.Top;
            if (position >= 0 && position < _image.Height)
            {
                continue;
            }

            var source = Borders.SourceIndex(_settings.Mode, position, _image.Height);
            if (source < 0)
            {
                for (var channel = 0; channel < c; channel++)
                {
                    slab.AsSpan(((channel * needed) + r) * w, w).Clear(); // a zero border
                }

                continue;
            }

            _image.ReadRows(source, 1, row);
            for (var channel = 0; channel < c; channel++)
            {
                row.AsSpan(channel * w, w).CopyTo(slab.AsSpan(((channel * needed) + r) * w, w));
            }
        }

        return new Tensor(slab, [c, needed, w]); // takes the array, no copy
    }

    /// <summary>
    /// The first image row that bands after <paramref name="band"/> may still read, directly or
    /// through the bottom border: rows above it can be handed back.
    /// </summary>
    public int FirstRowNeededAfter(int band)
    {
        if (band + 1 >= Bands)
        {
            return _image.Height;
        }

        var next = ((long)Rows(band + 1).First * _settings.Stride) - _pads.Top;
        var lowest = (int)Math.Clamp(next, 0, _image.Height);
        for (var position = (long)_image.Height; position < _image.Height + _pads.Bottom; position++)
        {
            var source = Borders.SourceIndex(_settings.Mode, position, _image.Height);
            lowest = source >= 0 ? Math.Min(lowest, source) : lowest;
        }

        return lowest;
    }
}
