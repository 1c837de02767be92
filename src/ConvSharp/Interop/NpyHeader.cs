using System.Globalization;

namespace ConvSharp.Interop;

/// <summary>
/// The header of a .npy file: a Python dict literal with exactly the keys <c>descr</c> (a
/// string), <c>fortran_order</c> (True or False) and <c>shape</c> (a tuple of sizes), as
/// <c>numpy.lib.format</c> writes it and reads it. Parsed as the literal it is, not searched with
/// patterns: a key inside a string, a duplicate key or an extra key is an error, as in NumPy.
/// </summary>
internal sealed class NpyHeader
{
    private readonly string _text;
    private int _at;

    private NpyHeader(string text) => _text = text;

    public static (string Descr, bool FortranOrder, int[] Shape) Parse(string text)
    {
        var parser = new NpyHeader(text);
        var entries = parser.Dict();
        parser.Space();
        if (parser._at != text.Length)
        {
            throw parser.Error("text after the closing brace");
        }

        string[] keys = ["descr", "fortran_order", "shape"];
        if (entries.Count != keys.Length || keys.Any(k => !entries.ContainsKey(k)))
        {
            throw new InvalidDataException(
                $"the .npy header must have exactly the keys 'descr', 'fortran_order' and 'shape', but has {string.Join(", ", entries.Keys.Select(k => $"'{k}'"))}: {text.Trim()}");
        }

        return (
            entries["descr"] as string ?? throw new InvalidDataException($"the .npy header's 'descr' is not a string: {text.Trim()}"),
            entries["fortran_order"] as bool? ?? throw new InvalidDataException($"the .npy header's 'fortran_order' is not True or False: {text.Trim()}"),
            entries["shape"] as int[] ?? throw new InvalidDataException($"the .npy header's 'shape' is not a tuple of sizes: {text.Trim()}"));
    }

    /// <summary>'{' (string ':' value (',' string ':' value)* ','?)? '}'</summary>
    private Dictionary<string, object> Dict()
    {
        Expect('{');
        var entries = new Dictionary<string, object>(StringComparer.Ordinal);
        while (!Take('}'))
        {
            var key = String();
            Expect(':');
            if (!entries.TryAdd(key, Value()))
            {
                throw Error($"the key '{key}' twice");
            }

            if (!Take(','))
            {
                Expect('}');
                break;
            }
        }

        return entries;
    }

    private object Value()
    {
        Space();
        if (Peek() is '\'' or '"')
        {
            return String();
        }

        if (Peek() == '(')
        {
            return Tuple();
        }

        foreach (var (word, value) in new[] { ("True", true), ("False", false) })
        {
            if (string.CompareOrdinal(_text, _at, word, 0, word.Length) == 0)
            {
                _at += word.Length;
                return value;
            }
        }

        throw Error("a value that is not a string, True, False or a tuple");
    }

    /// <summary>'(' (size (',' size)* ','?)? ')'; a size may carry Python 2's 'L'.</summary>
    private int[] Tuple()
    {
        Expect('(');
        var sizes = new List<int>();
        while (!Take(')'))
        {
            Space();
            var start = _at;
            while (_at < _text.Length && char.IsAsciiDigit(_text[_at]))
            {
                _at++;
            }

            if (!int.TryParse(_text.AsSpan(start, _at - start), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                throw Error(_at == start ? "a dimension that is not a size" : $"the size {_text[start.._at]}, larger than a dimension can be ({int.MaxValue})");
            }

            Take('L');
            sizes.Add(size);
            if (!Take(','))
            {
                Expect(')');
                break;
            }
        }

        return [.. sizes];
    }

    private string String()
    {
        Space();
        var quote = Peek();
        if (quote is not ('\'' or '"'))
        {
            throw Error("a key that is not a string");
        }

        var end = _text.IndexOf(quote, _at + 1);
        if (end < 0)
        {
            throw Error("a string that does not end");
        }

        var value = _text[(_at + 1)..end];
        _at = end + 1;
        return value;
    }

    private void Expect(char c)
    {
        if (!Take(c))
        {
            throw Error($"'{(_at < _text.Length ? _text[_at] : ' ')}' where '{c}' was expected");
        }
    }

    private bool Take(char c)
    {
        Space();
        if (_at < _text.Length && _text[_at] == c)
        {
            _at++;
            return true;
        }

        return false;
    }

    private char Peek() => _at < _text.Length ? _text[_at] : '\0';

    private void Space()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }

    private InvalidDataException Error(string what) =>
        new($"the .npy header is not a dict of 'descr', 'fortran_order' and 'shape': {what} at character {_at}: {_text.Trim()}");
}
