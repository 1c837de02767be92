using System.Globalization;
using System.Text;

namespace ConvSharp;

/// <summary>
/// Prints tensors exactly as PyTorch does (<c>torch/_tensor_str.py</c>, default print options):
/// one width for all elements, integers as <c>1.</c>, four decimals, scientific notation when the
/// magnitudes call for it, 80-column lines, and a summary with <c>...</c> above 1000 elements.
/// </summary>
internal static class TensorFormatter
{
    private const int Precision = 4;
    private const int LineWidth = 80;
    private const int Threshold = 1000;
    private const int EdgeItems = 3;
    private const string Prefix = "tensor(";

    public static string Format(Tensor tensor)
    {
        var suffixes = new List<string>();
        string body;
        if (tensor.NumElements == 0)
        {
            if (tensor.Rank != 1)
            {
                suffixes.Add("size=" + PythonTuple(tensor.Dims));
            }

            body = "[]";
        }
        else
        {
            var summarize = tensor.NumElements > Threshold;
            var formatter = new ElementFormatter(summarize ? SummarizedValues(tensor) : tensor.ToArray());
            body = FormatNested(tensor, Prefix.Length, summarize, formatter);
        }

        if (tensor.GradFn is not null)
        {
            suffixes.Add($"grad_fn=<{tensor.GradFn.Name}>");
        }
        else if (tensor.RequiresGrad)
        {
            suffixes.Add("requires_grad=True");
        }

        return AddSuffixes(Prefix + body, suffixes);
    }

    private static string AddSuffixes(string text, List<string> suffixes)
    {
        var sb = new StringBuilder(text);
        var lastLineLength = text.Length - text.LastIndexOf('\n') + 1;
        foreach (var suffix in suffixes)
        {
            if (lastLineLength + suffix.Length + 2 > LineWidth)
            {
                sb.Append(",\n").Append(' ', Prefix.Length).Append(suffix);
                lastLineLength = Prefix.Length + suffix.Length;
            }
            else
            {
                sb.Append(", ").Append(suffix);
                lastLineLength += suffix.Length + 2;
            }
        }

        return sb.Append(')').ToString();
    }

    private static string FormatNested(Tensor t, int indent, bool summarize, ElementFormatter formatter)
    {
        if (t.Rank == 0)
        {
            return formatter.Format(t.Item());
        }

        if (t.Rank == 1)
        {
            return FormatVector(t, indent, summarize, formatter);
        }

        // Leading dimensions of size 1 only add brackets: taken in one step, not one recursion
        // each, so a tensor of very high rank prints in time (and stack) linear in its rank.
        var ones = LeadingOnes(t);
        if (ones > 0)
        {
            var inner = FormatNested(t.View(t.Dims[ones..], t.Strides[ones..], t.Offset), indent + ones, summarize, formatter);
            return new StringBuilder(inner.Length + (2 * ones)).Append('[', ones).Append(inner).Append(']', ones).ToString();
        }

        var size = t.Dims[0];
        var slices = new List<string>();
        if (summarize && size > 2 * EdgeItems)
        {
            for (var i = 0; i < EdgeItems; i++)
            {
                slices.Add(FormatNested(t.SelectView(0, i), indent + 1, summarize, formatter));
            }

            slices.Add("...");
            for (var i = size - EdgeItems; i < size; i++)
            {
                slices.Add(FormatNested(t.SelectView(0, i), indent + 1, summarize, formatter));
            }
        }
        else
        {
            for (var i = 0; i < size; i++)
            {
                slices.Add(FormatNested(t.SelectView(0, i), indent + 1, summarize, formatter));
            }
        }

        var separator = "," + new string('\n', t.Rank - 1) + new string(' ', indent + 1);
        return "[" + string.Join(separator, slices) + "]";
    }

    private static string FormatVector(Tensor t, int indent, bool summarize, ElementFormatter formatter)
    {
        var elementLength = formatter.Width + 2;
        var perLine = Math.Max(1, (LineWidth - indent) / elementLength);
        var values = t.ToArray();
        var items = new List<string>();
        if (summarize && values.Length > 2 * EdgeItems)
        {
            items.AddRange(values[..EdgeItems].Select(formatter.Format));
            items.Add(" ...");
            items.AddRange(values[^EdgeItems..].Select(formatter.Format));
        }
        else
        {
            items.AddRange(values.Select(formatter.Format));
        }

        var lines = items.Chunk(perLine).Select(chunk => string.Join(", ", chunk));
        return "[" + string.Join(",\n" + new string(' ', indent + 1), lines) + "]";
    }

    /// <summary>The elements a summarised print shows: the first and last three along every dimension.</summary>
    private static float[] SummarizedValues(Tensor t)
    {
        var values = new List<float>();
        Collect(t, values);
        return [.. values];

        static void Collect(Tensor t, List<float> into)
        {
            if (t.Rank == 0)
            {
                into.Add(t.Item());
                return;
            }

            var ones = LeadingOnes(t);
            if (ones > 0)
            {
                Collect(t.View(t.Dims[ones..], t.Strides[ones..], t.Offset), into);
                return;
            }

            var size = t.Dims[0];
            var indices = size > 2 * EdgeItems
                ? Enumerable.Range(0, EdgeItems).Concat(Enumerable.Range(size - EdgeItems, EdgeItems))
                : Enumerable.Range(0, size);
            foreach (var i in indices)
            {
                Collect(t.SelectView(0, i), into);
            }
        }
    }

    /// <summary>How many leading dimensions have size 1, leaving at least the last.</summary>
    private static int LeadingOnes(Tensor t)
    {
        var ones = 0;
        while (ones < t.Rank - 1 && t.Dims[ones] == 1)
        {
            ones++;
        }

        return ones;
    }

    private static string PythonTuple(int[] dims) =>
        dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims) + ")";

    /// <summary>PyTorch's <c>_Formatter</c>: picks integer, fixed or scientific mode and one width.</summary>
    private sealed class ElementFormatter
    {
        private readonly bool _intMode = true;
        private readonly bool _sciMode;

        public ElementFormatter(float[] values)
        {
            var nonzeroFinite = values.Where(v => float.IsFinite(v) && v != 0f).Select(v => (double)v).ToArray();
            if (nonzeroFinite.Length == 0)
            {
                return;
            }

            var min = nonzeroFinite.Min(Math.Abs);
            var max = nonzeroFinite.Max(Math.Abs);
            _intMode = nonzeroFinite.All(v => v == Math.Ceiling(v));
            if (_intMode)
            {
                _sciMode = max / min > 1000.0 || max > 1.0e8;
                Width = nonzeroFinite.Max(v => _sciMode ? Sci(v).Length : v.ToString("F0", CultureInfo.InvariantCulture).Length + 1);
            }
            else
            {
                _sciMode = max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
                Width = nonzeroFinite.Max(v => _sciMode ? Sci(v).Length : Fixed(v).Length);
            }
        }

        public int Width { get; } = 1;

        public string Format(float value)
        {
            double v = value;
            string text;
            if (_sciMode)
            {
                text = Sci(v);
            }
            else if (_intMode)
            {
                text = NonFinite(v) ?? v.ToString("F0", CultureInfo.InvariantCulture) + ".";
            }
            else
            {
                text = Fixed(v);
            }

            return text.PadLeft(Width);
        }

        private static string Fixed(double v) => NonFinite(v) ?? v.ToString("F" + Precision, CultureInfo.InvariantCulture);

        /// <summary>Python's <c>{:.4e}</c>: mantissa with four decimals, exponent with a sign and at least two digits.</summary>
        private static string Sci(double v)
        {
            if (NonFinite(v) is { } special)
            {
                return special;
            }

            var text = v.ToString("E" + Precision, CultureInfo.InvariantCulture);
            var e = text.IndexOf('E', StringComparison.Ordinal);
            var exponent = int.Parse(text.AsSpan(e + 1), CultureInfo.InvariantCulture);
            return $"{text[..e]}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }

        private static string? NonFinite(double v) =>
            double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : null;
    }
}
