using ConvSharp.Imaging;

namespace ConvSharp.Cli;

/// <summary>The photographs shipped inside the tool for its demos (CC0; see data/images/NOTICE.md).</summary>
internal static class BundledPhotos
{
    /// <summary>"camera": a photographer with a camera on a tripod, 512×512 gray. CC0, Lav Varshney.</summary>
    public static Tensor Camera() => Load("camera");

    /// <summary>"coffee": a coffee cup on a wooden table, 600×400 RGB. CC0, Rachel Michetti.</summary>
    public static Tensor Coffee() => Load("coffee");

    private static Tensor Load(string name)
    {
        var resource = $"ConvSharp.Cli.{name}.png";
        using var stream = typeof(BundledPhotos).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the photograph {resource} is missing from the tool");
        return ImageFile.Decode(stream, name + ".png");
    }
}
