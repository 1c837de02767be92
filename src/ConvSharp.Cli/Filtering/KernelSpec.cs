using System.Globalization;
using System.Text.Json;
using ConvSharp.Cli.CommandLine;
using ConvSharp.Interop;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// A kernel as the user gave it: (KH, KW) for every channel alike, (C, KH, KW) one per channel,
/// or (OC, C, KH, KW) mixing channels; an optional bias; a short label for output names.
/// </summary>
/// <param name="Weight">the taps</param>
/// <param name="Bias">the bias, or null</param>
/// <param name="Label">a short name for output files</param>
/// <param name="File">the file it was read from, or null for a name or inline numbers</param>
internal sealed record KernelSpec(Tensor Weight, Tensor? Bias, string Label, string? File = null)
{
    /// <summary>
    /// Reads <c>--kernel</c>: a catalogue name (<c>sobel-x</c>, <c>gaussian:2</c>), inline numbers
    /// (<c>[[1,-1]]</c>, rows of equal length; a flat list is one row), or a file: <c>.npy</c>,
    /// or <c>.json</c> holding the numbers or an object with <c>"kernel"</c> and optionally
    /// <c>"bias"</c> (what <c>convsharp learn</c> writes).
    /// </summary>
    public static KernelSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new UsageException("the kernel is empty: give a catalogue name (see `convsharp kernels`), numbers like [[1,-1]], or a .npy/.json file");
        }

        if (trimmed[0] == '[')
        {
            return new KernelSpec(FromNumbers(trimmed, InlineSource), null, "kernel");
        }

        var extension = Path.GetExtension(trimmed).ToLowerInvariant();
        if (extension is ".npy" or ".json" || System.IO.File.Exists(trimmed))
        {
            return FromFile(trimmed, extension);
        }

        try
        {
            return new KernelSpec(CheckKernel(Kernels.FromName(trimmed), trimmed), null, Sanitise(trimmed));
        }
        catch (ArgumentException e)
        {
            // An unknown name or a parameter out of range is a mistake in the command line.
            throw new UsageException(CliContext.Describe(e));
        }
    }

    /// <summary>What errors in inline kernel text call it; errors in a kernel file name the file instead.</summary>
    private const string InlineSource = "kernel text";

    /// <summary>
    /// The largest kernel the commands take: 1024 taps a side (the catalogue makes at most 1001),
    /// 2^22 numbers in all, 64 output channels; checked before anything is allocated for it.
    /// </summary>
    public const int MaxSide = 1024;

    public const int MaxNumbers = 1 << 22;

    public const int MaxOutputChannels = 64;

    /// <summary>A malformed kernel file is a bad input (exit 1); malformed inline numbers or a catalogue name, a usage error (exit 2).</summary>
    private static Exception Malformed(string source, string message) =>
        System.IO.File.Exists(source) ? new InvalidDataException(message) : new UsageException(message);

    private static KernelSpec FromFile(string path, string extension)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"kernel file {path}: no such file", path);
        }

        var length = InputFile.Length(path); // a pipe or a device is refused unopened
        if (length > 64L << 20)
        {
            throw new InvalidDataException($"kernel file {path} is {length >> 20} MB; a kernel of at most {MaxNumbers} numbers fits in 64 MB");
        }

        var label = Sanitise(Path.GetFileNameWithoutExtension(path));
        if (extension == ".npy")
        {
            return new KernelSpec(CheckKernel(Tensor.LoadNpy(path), path), null, label, path);
        }

        var json = System.IO.File.ReadAllText(path);
        using var document = ParseJson(json, path);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            return new KernelSpec(FromJson(root, path), null, label, path);
        }

        if (root.ValueKind == JsonValueKind.Object && root.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidDataException($"{path}: the key \"{twice.Key}\" appears twice; which one was meant?");
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kernel", out var kernel))
        {
            throw new InvalidDataException($"{path}: expected the kernel's numbers, or an object with \"kernel\" (and optionally \"bias\")");
        }

        var weight = FromJson(kernel, path);
        Tensor? bias = null;
        if (root.TryGetProperty("bias", out var biasElement) && biasElement.ValueKind != JsonValueKind.Null)
        {
            bias = biasElement.ValueKind == JsonValueKind.Number
                ? Tensor.FromArray([Number(biasElement, path)], 1)
                : Numbers(biasElement, path);
        }

        return new KernelSpec(weight, bias, label, path);
    }

    /// <summary>Nested JSON arrays of numbers, as a kernel tensor; <paramref name="source"/> names them in errors.</summary>
    private static Tensor FromNumbers(string text, string source)
    {
        using var document = ParseJson(text, source);
        return FromJson(document.RootElement, source);
    }

    private static JsonDocument ParseJson(string text, string source)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Malformed(source, $"malformed {source} '{Shorten(text)}': {e.Message} Write rows of numbers like [[1,0,-1],[2,0,-2],[1,0,-1]]");
        }
    }

    private static Tensor FromJson(JsonElement element, string source)
    {
        var tensor = Numbers(element, source);
        return CheckKernel(tensor.Rank == 1 ? tensor.Reshape(1, -1) : tensor, source);
    }

    private static Tensor Numbers(JsonElement element, string source)
    {
        var shape = new List<int>();
        var probe = element;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            shape.Add(probe.GetArrayLength());
            if (probe.GetArrayLength() == 0)
            {
                throw Malformed(source, $"malformed {source}: an empty list; every row needs at least one number");
            }

            probe = probe[0];
        }

        if (shape.Count == 0)
        {
            throw Malformed(source, $"malformed {source}: expected a list of numbers, like [[1,-1]]");
        }

        var values = new List<float>();
        Collect(element, 0, shape, values, source, []);
        return Tensor.FromArray([.. values], [.. shape]);
    }

    private static void Collect(JsonElement element, int depth, List<int> shape, List<float> values, string source, List<int> at)
    {
        if (depth == shape.Count)
        {
            values.Add(Number(element, source, at));
            return;
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != shape[depth])
        {
            var what = element.ValueKind == JsonValueKind.Array ? $"{element.GetArrayLength()} entries" : "a single value";
            throw Malformed(
                source,
                $"malformed {source}: rows must have equal lengths, but the list at [{string.Join(", ", at)}] has {what} where {shape[depth]} were expected");
        }

        var index = 0;
        foreach (var child in element.EnumerateArray())
        {
            at.Add(index++);
            Collect(child, depth + 1, shape, values, source, at);
            at.RemoveAt(at.Count - 1);
        }
    }

    private static float Number(JsonElement element, string source, IReadOnlyList<int>? at = null)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite((float)value))
        {
            var where = at is null ? "" : $" at [{string.Join(", ", at)}]";
            throw Malformed(source, $"malformed {source}: '{Shorten(element.GetRawText())}'{where} is not a finite number");
        }

        return (float)value;
    }

    private static Tensor CheckKernel(Tensor kernel, string source)
    {
        var shape = kernel.Shape;
        if (kernel.Rank is < 2 or > 4 || shape.Any(d => d == 0))
        {
            throw Malformed(source, $"{source}: a kernel is (KH, KW), (C, KH, KW) or (OC, C, KH, KW), but got size [{string.Join(", ", shape)}]");
        }

        if (shape[^1] > MaxSide || shape[^2] > MaxSide || kernel.NumElements > MaxNumbers || (kernel.Rank == 4 && shape[0] > MaxOutputChannels))
        {
            throw Malformed(
                source,
                $"{source}: a kernel of size [{string.Join(", ", shape)}] is larger than the commands take: at most {MaxSide}×{MaxSide} taps, {MaxNumbers} numbers and {MaxOutputChannels} output channels");
        }

        if (kernel.ToArray().Any(v => !float.IsFinite(v)))
        {
            throw Malformed(source, $"{source}: the kernel holds NaN or infinity");
        }

        return kernel;
    }

    private static string Sanitise(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')).Trim('-');

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..37]}...");
}
