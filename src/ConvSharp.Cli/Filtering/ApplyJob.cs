using ConvSharp.Imaging;

namespace ConvSharp.Cli.Filtering;

/// <summary>One image through the filter: load, filter, map, write the picture (and the raw response), each file atomically.</summary>
internal sealed record ApplyJob(KernelSpec Kernel, FilterSettings Settings, string? Format, bool WriteNpy)
{
    /// <summary>Filters <paramref name="input"/> into <paramref name="output"/>; returns the display mapping used.</summary>
    public DisplayMap Run(string input, string output)
    {
        var image = ImageFile.Load(input);
        var response = ImageFilter.Apply(image, Kernel, Settings);
        var map = Settings.Map ?? ImageFilter.ChooseMap(Kernel);
        var picture = Display.Map(response, map);
        if (WriteNpy)
        {
            response.SaveNpy(Path.ChangeExtension(output, ".npy"));
        }

        ImageFile.Save(picture, output);
        return map;
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
}
