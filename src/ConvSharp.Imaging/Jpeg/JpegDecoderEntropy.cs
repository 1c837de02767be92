using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvSharp.Imaging.Jpeg;

/// <summary>
/// The entropy-coded data of a sequential Huffman scan (T.81 annex F.2.2): bits read most
/// significant first with stuffed zero bytes dropped, Huffman symbols, the DC difference and the
/// run/size AC codes of each block, restart markers. Anything libjpeg would only warn about (a
/// code in no table, a marker where data should be, data running out, a wrong restart marker, a
/// run past the 64th coefficient) sets <see cref="Failed"/>, and the file goes to SkiaSharp.
/// </summary>
internal sealed unsafe class JpegDecoderEntropy(byte[] data, int start)
{
    private readonly byte[] _data = data;
    private int _pos = start;

    /// <summary>Bits not yet consumed, most significant first; <see cref="_bits"/> of them are valid.</summary>
    private ulong _acc;
    private int _bits;

    /// <summary>Zero bits appended past a marker or the end of the file: consuming any of them fails.</summary>
    private int _padBits;
    private bool _atMarker;
    private int _nextRestart;

    public bool Failed { get; private set; }

    /// <summary>Whether every bit consumed so far was real data.</summary>
    public bool ConsumedOnlyData => _bits >= _padBits && !Failed;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first call: a single photo is read once
    private void FillSlow()
    {
        var data = _data;
        if (!_atMarker && _pos + 8 <= data.Length)
        {
            // Eight bytes at once when none is 0xFF (no stuffing, no marker): as many whole bytes as fit.
            var word = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(_pos, 8));
            if (NoMarkerByte(word))
            {
                var count = (64 - _bits) >> 3;
                _acc |= (word >> (64 - (8 * count))) << (64 - _bits - (8 * count));
                _bits += 8 * count;
                _pos += count;
                return;
            }
        }


        while (_bits <= 56)
        {
            ulong b = 0;
            if (_atMarker || _pos >= data.Length)
            {
                _padBits += 8;
            }
            else if ((b = data[_pos]) != 0xFF)
            {
                _pos++;
            }
            else if (_pos + 1 < data.Length && data[_pos + 1] == 0)
            {
                _pos += 2; // a stuffed 0xFF data byte
            }
            else
            {
                _atMarker = true; // _pos stays on the marker
                (b, _padBits) = (0, _padBits + 8);
            }

            _acc |= b << (56 - _bits);
            _bits += 8;
        }
    }

    /// <summary>Whether none of the eight bytes is 0xFF (the bytes of ~word: none is zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NoMarkerByte(ulong word) => ((~word - 0x0101010101010101UL) & word & 0x8080808080808080UL) == 0;

    /// <summary>An n-bit value read as T.81's EXTEND does: the upper half positive, the lower half negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Extend(int v, int n) => v + ((((v >> (n - 1)) & 1) - 1) & (1 - (1 << n))); // without a branch: the sign is a coin toss

    private int LongSymbol(JpegDecoderHuffmanTable table)
    {
        for (var size = JpegDecoderHuffmanTable.LookupBits + 1; size <= 16; size++)
        {
            var code = (int)(_acc >> (64 - size));
            if (code <= table.MaxCode[size])
            {
                _acc <<= size;
                _bits -= size;
                return table.Symbols[code + table.Offset[size]];
            }
        }

        Failed = true; // a code in no table
        return 0;
    }

    /// <summary>
    /// Decodes one block into <paramref name="block"/> (natural order, zeros where no coefficient
    /// is coded; it must come in zeroed), dequantised: the coefficient as libjpeg stores it (16 bits)
    /// times its quantiser. Returns <see cref="JpegDecoderIdct.HasAc"/> if any AC coefficient is coded, else 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int DecodeBlock(int* block, JpegDecoderComponent component, ref int predictor)
    {
        // Written out in one method so that the bit buffer stays in registers; it goes back to
        // the fields only around a refill or a code longer than the lookup.
        var (acc, bits) = (_acc, _bits);
        var (dcTable, acTable) = (component.Dc, component.Ac);
        ref var dcLookup = ref MemoryMarshal.GetArrayDataReference(dcTable.Lookup);
        ref var acLookup = ref MemoryMarshal.GetArrayDataReference(acTable.Lookup);
        ref var fastAc = ref MemoryMarshal.GetArrayDataReference(acTable.FastAc);
        ref var quant = ref MemoryMarshal.GetArrayDataReference(component.Quant);
        ref var zigZag = ref MemoryMarshal.GetReference(JpegTables.ZigzagToNatural);
        const int Shift = 64 - JpegDecoderHuffmanTable.LookupBits;
        var data = _data;
        ulong word;

        if (bits < 32)
        {
            (_acc, _bits) = (acc, bits);
            FillSlow();
            (acc, bits) = (_acc, _bits);
        }

        int s = Unsafe.Add(ref dcLookup, (nint)(acc >> Shift));
        if (s != 0)
        {
            (acc, bits) = (acc << (s >> 8), bits - (s >> 8));
            s &= 0xFF;
        }
        else
        {
            (_acc, _bits) = (acc, bits);
            s = LongSymbol(dcTable);
            (acc, bits) = (_acc, _bits);
        }

        var diff = 0;
        if (s != 0)
        {
            diff = Extend((int)(acc >> (64 - s)), s);
            (acc, bits) = (acc << s, bits - s);
        }

        // A forged file can push the predictor past int's range, which libjpeg-turbo 2.1 stops
        // with an error (JERR_BAD_DCT_COEF) where older libjpegs wrap: refused, SkiaSharp decides.
        var sum = (long)predictor + diff;
        if (sum != (int)sum)
        {
            Failed = true;
        }

        predictor = unchecked((int)sum);
        block[0] = (short)predictor * quant;
        var flags = 0;

        for (var k = 1; k < 64;)
        {
            if (bits < 32)
            {
                // Four or more whole bytes at once where none of the next eight is 0xFF, else byte by byte.
                if (_pos + 8 <= data.Length && NoMarkerByte(word = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(_pos, 8))))
                {
                    var count = (64 - bits) >> 3;
                    acc |= (word >> (64 - (8 * count))) << (64 - bits - (8 * count));
                    (bits, _pos) = (bits + (8 * count), _pos + count);
                }
                else
                {
                    (_acc, _bits) = (acc, bits);
                    FillSlow();
                    (acc, bits) = (_acc, _bits);
                }
            }

            var index = (nint)(acc >> Shift);
            var fast = Unsafe.Add(ref fastAc, index);
            if (fast != 0)
            {
                // Code and value in one look-up: the common short coefficient.
                k += (fast >> 4) & 15;
                if (k > 63)
                {
                    Failed = true;
                    break;
                }

                (acc, bits) = (acc << (fast & 15), bits - (fast & 15));
                var at = Unsafe.Add(ref zigZag, k);
                var coefficient = (fast >> 8) * Unsafe.Add(ref quant, at);
                block[at] = coefficient;
                flags = JpegDecoderIdct.HasAc;
                k++;
                continue;
            }

            int rs = Unsafe.Add(ref acLookup, index);
            if (rs != 0)
            {
                (acc, bits) = (acc << (rs >> 8), bits - (rs >> 8));
                rs &= 0xFF;
            }
            else
            {
                (_acc, _bits) = (acc, bits);
                rs = LongSymbol(acTable);
                (acc, bits) = (_acc, _bits);
            }

            var size = rs & 15;
            if (size == 0)
            {
                if (rs != 0xF0)
                {
                    break; // end of block
                }

                k += 16; // sixteen zeros
                continue;
            }

            k += rs >> 4;
            if (k > 63)
            {
                Failed = true; // libjpeg writes such a coefficient into position 63; left to it
                break;
            }

            var z = Unsafe.Add(ref zigZag, k);
            var value = Extend((int)(acc >> (64 - size)), size) * Unsafe.Add(ref quant, z);
            (acc, bits) = (acc << size, bits - size);
            block[z] = value;
            flags = JpegDecoderIdct.HasAc;
            k++;
        }

        (_acc, _bits) = (acc, bits);
        return flags;
    }

    /// <summary>
    /// At the end of a restart interval: the data must end here (only the last byte's padding bits
    /// unread) and be followed by the expected RSTn; the bit reader then starts afresh after it.
    /// </summary>
    public bool Restart()
    {
        if (!AtDataEnd() || _data[_pos] != 0xD0 + _nextRestart)
        {
            return false;
        }

        _pos++;
        _nextRestart = (_nextRestart + 1) & 7;
        (_acc, _bits, _padBits, _atMarker) = (0, 0, 0, false);
        return true;
    }

    /// <summary>At the end of the scan: the data ends here and the next marker is EOI.</summary>
    public bool Finish() => AtDataEnd() && _data[_pos] == 0xD9;

    /// <summary>
    /// Whether the data ends at the bits read (no whole byte left unread) and a marker follows;
    /// leaves <see cref="_pos"/> on the marker's code.
    /// </summary>
    private bool AtDataEnd()
    {
        if (!ConsumedOnlyData || _bits - _padBits >= 8)
        {
            return false;
        }

        if (_pos >= _data.Length || _data[_pos] != 0xFF)
        {
            return false;
        }

        while (_pos < _data.Length && _data[_pos] == 0xFF)
        {
            _pos++;
        }

        return _pos < _data.Length;
    }
}
