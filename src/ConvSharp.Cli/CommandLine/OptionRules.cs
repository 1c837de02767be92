using System.Globalization;

namespace ConvSharp.Cli.CommandLine;

/// <summary>The range checks several commands make on numbers, each failing with one line naming the option.</summary>
internal static class OptionRules
{
    /// <exception cref="UsageException"><paramref name="value"/> is outside [<paramref name="low"/>, <paramref name="high"/>]</exception>
    public static int InRange(int value, int low, int high, string option) =>
        value >= low && value <= high ? value : throw new UsageException($"{option} must be between {low} and {high}, but got {value}");

    /// <exception cref="UsageException"><paramref name="value"/> is zero, negative, infinite or NaN</exception>
    public static float Positive(float value, string option) =>
        value > 0 && float.IsFinite(value)
            ? value
            : throw new UsageException($"{option} must be a positive number, but got {value.ToString(CultureInfo.InvariantCulture)}");

    /// <exception cref="UsageException"><paramref name="value"/> is below 1</exception>
    public static int AtLeastOne(int value, string option) =>
        value >= 1 ? value : throw new UsageException($"{option} must be ≥ 1, but got {value}");
}
