using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvSharp.Cli.CommandLine;

/// <summary>Readers for the small languages options use: sizes, paddings, border modes, shards.</summary>
internal static partial class ArgumentParsing
{
    /// <summary>Border modes by the names the options take.</summary>
    public static readonly IReadOnlyDictionary<string, PaddingMode> Modes = new Dictionary<string, PaddingMode>(StringComparer.OrdinalIgnoreCase)
    {
        ["zeros"] = PaddingMode.Zeros,
        ["reflect"] = PaddingMode.Reflect,
        ["replicate"] = PaddingMode.Replicate,
        ["circular"] = PaddingMode.Circular,
        ["symmetric"] = PaddingMode.Symmetric,
    };

    /// <summary>"3x3", "5X7" or "3" (square) as (KH, KW), each at most <paramref name="max"/>.</summary>
    public static (int Height, int Width) Size(string text, int max)
    {
        var match = SizePattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new UsageException($"cannot read size '{text}': write KHxKW, e.g. 3x3 or 5x7, or one number for a square");
        }

        var height = PositiveInt(match.Groups[1].Value, "the kernel height");
        var width = match.Groups[2].Success ? PositiveInt(match.Groups[2].Value, "the kernel width") : height;
        if (Math.Max(height, width) > max)
        {
            throw new UsageException($"a kernel of {height}×{width} is larger than this command takes: at most {max} taps a side");
        }

        return (height, width);
    }

    /// <summary>"same", "valid" or a number of pixels on every side.</summary>
    public static Padding Padding(string text) => text.Trim().ToLowerInvariant() switch
    {
        "same" => ConvSharp.Padding.Same,
        "valid" => ConvSharp.Padding.Valid,
        var number when int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var pixels) => pixels,
        _ => throw new UsageException($"cannot read padding '{text}': write same, valid, or a number of pixels ≥ 0"),
    };

    public static PaddingMode Mode(string text) =>
        Modes.TryGetValue(text.Trim(), out var mode)
            ? mode
            : throw new UsageException($"unknown border mode '{text}': choose {string.Join(", ", Modes.Keys)}");

    /// <summary>"i/n", 1 ≤ i ≤ n: the i-th of n parts.</summary>
    public static (int Index, int Count) Shard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index < 1 || index > count)
        {
            throw new UsageException($"cannot read shard '{text}': write i/n with 1 ≤ i ≤ n, e.g. 2/8 for the second of eight parts");
        }

        return (index, count);
    }

    public static int PositiveInt(string text, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : throw new UsageException($"{what} must be a whole number ≥ 1, but got '{text}'");

    [GeneratedRegex(@"^([0-9]+)(?:[xX×]([0-9]+))?$")]
    private static partial Regex SizePattern();
}
