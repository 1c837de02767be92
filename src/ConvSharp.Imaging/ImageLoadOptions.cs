namespace ConvSharp.Imaging;

/// <summary>How many channels a loaded image gets.</summary>
public enum ColorMode
{
    /// <summary>One channel when every pixel is gray (R = G = B), three otherwise.</summary>
    Auto,

    /// <summary>One channel: ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B (what OpenCV and Pillow compute).</summary>
    Gray,

    /// <summary>Three channels, gray images repeated into R, G and B.</summary>
    Rgb,
}

/// <summary>What happens to transparency when an image with an alpha channel is loaded.</summary>
public enum AlphaMode
{
    /// <summary>Composite over white, as the picture looks on a white page (the default).</summary>
    OverWhite,

    /// <summary>Composite over black: transparent pixels become 0, like premultiplied colour.</summary>
    OverBlack,

    /// <summary>Keep the colour of transparent pixels as stored and drop the alpha.</summary>
    Ignore,

    /// <summary>Keep alpha as one more channel, last (gray + alpha or RGB + alpha).</summary>
    Keep,
}

/// <summary>Options for <see cref="ImageFile.Load(string, ImageLoadOptions?)"/>.</summary>
/// <param name="Color">how many channels</param>
/// <param name="Alpha">what transparency becomes; only images that have some transparency are affected</param>
public sealed record ImageLoadOptions(ColorMode Color = ColorMode.Auto, AlphaMode Alpha = AlphaMode.OverWhite)
{
    /// <summary>Auto colour, composited over white.</summary>
    public static ImageLoadOptions Default { get; } = new();
}
