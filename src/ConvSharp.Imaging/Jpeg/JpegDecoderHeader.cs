namespace ConvSharp.Imaging.Jpeg;

/// <summary>One component of the frame, as its SOF and SOS segments give it.</summary>
internal sealed class JpegDecoderComponent
{
    /// <summary>Horizontal and vertical sampling factors (1, or 2 for luma).</summary>
    public int H, V;

    /// <summary>The quantisation table, latched when the scan starts (natural order).</summary>
    public ushort[] Quant = [];

    /// <summary>The DC and AC Huffman tables the scan names.</summary>
    public JpegDecoderHuffmanTable Dc = null!, Ac = null!;

    /// <summary>Blocks a row of the component holds, counting an MCU row's padding.</summary>
    public int BlocksPerLine;

    /// <summary>Samples of the component a row holds, as libjpeg counts them: ⌈width · H / Hmax⌉.</summary>
    public int DownsampledWidth;

    /// <summary>Rows of the component, ⌈height · V / Vmax⌉.</summary>
    public int DownsampledHeight;
}

/// <summary>
/// The markers before the entropy-coded data of a JPEG file, read only as far as the decoder
/// takes the file: one baseline (SOF0) or extended (SOF1) 8-bit Huffman frame of 1 component or
/// 3 YCbCr ones, luma sampled 1×1, 2×1 or 2×2 and chroma 1×1, and one scan holding every
/// component in frame order. Anything else, or any inconsistency libjpeg would stop at or warn
/// about, makes <see cref="TryRead"/> return null: the file then goes to SkiaSharp.
/// </summary>
internal sealed class JpegDecoderHeader
{
    public int Width, Height;

    /// <summary>The frame's components in frame (and scan) order.</summary>
    public JpegDecoderComponent[] Components = [];

    /// <summary>Largest sampling factors: the MCU is 8·Hmax × 8·Vmax pixels.</summary>
    public int HMax, VMax;

    /// <summary>MCUs between restart markers (0: none).</summary>
    public int RestartInterval;

    /// <summary>Where the entropy-coded data begins.</summary>
    public int DataStart;

    public int McusPerLine => (Width + (8 * HMax) - 1) / (8 * HMax);

    public int McuRows => (Height + (8 * VMax) - 1) / (8 * VMax);

    /// <summary>Reads the headers of <paramref name="file"/>, or null where the decoder does not take it.</summary>
    public static JpegDecoderHeader? TryRead(ReadOnlySpan<byte> file)
    {
        if (file.Length < 4 || file[0] != 0xFF || file[1] != 0xD8)
        {
            return null;
        }

        var quant = new ushort[]?[4];
        var dc = new JpegDecoderHuffmanTable?[4];
        var ac = new JpegDecoderHuffmanTable?[4];
        var ids = Array.Empty<int>();
        var quantIds = Array.Empty<int>();
        JpegDecoderHeader? header = null;
        var restart = 0;
        var pos = 2;
        while (true)
        {
            // A marker: 0xFF, any fill 0xFFs, then its code; any other byte between segments
            // is what libjpeg skips with a warning, so the decoder leaves the file.
            if (pos >= file.Length || file[pos] != 0xFF)
            {
                return null;
            }

            while (pos < file.Length && file[pos] == 0xFF)
            {
                pos++;
            }

            if (pos + 2 >= file.Length)
            {
                return null;
            }

            var marker = file[pos];
            var length = (file[pos + 1] << 8) | file[pos + 2];
            if (length < 2 || pos + 1 + length > file.Length)
            {
                return null;
            }

            var segment = file.Slice(pos + 3, length - 2);
            pos += 1 + length;
            switch (marker)
            {
                case 0xC0 or 0xC1: // baseline, extended sequential: decoded alike
                    if (header is not null || !ReadFrame(segment, out header, out ids, out quantIds))
                    {
                        return null;
                    }

                    break;
                case 0xC4:
                    if (!ReadHuffmanTables(segment, dc, ac))
                    {
                        return null;
                    }

                    break;
                case 0xDB:
                    if (!ReadQuantTables(segment, quant))
                    {
                        return null;
                    }

                    break;
                case 0xDD:
                    if (segment.Length != 2)
                    {
                        return null;
                    }

                    restart = (segment[0] << 8) | segment[1];
                    break;
                case 0xDA:
                    if (header is null || !ReadScan(segment, header, ids, quantIds, quant, dc, ac))
                    {
                        return null;
                    }

                    header.RestartInterval = restart;
                    header.DataStart = pos;
                    return header;
                case 0xEE: // APP14: Adobe's, which may say the colours are RGB or CMYK
                    return null;
                case >= 0xE0 and <= 0xEF or 0xFE: // other APPn (JFIF, EXIF, ICC: not colour-changing for an untagged decode), COM
                    break;
                default: // other frames (progressive, arithmetic, lossless, 12-bit), DNL, DAC, anything unknown
                    return null;
            }
        }
    }

    private static bool ReadFrame(ReadOnlySpan<byte> s, out JpegDecoderHeader? header, out int[] ids, out int[] quantIds)
    {
        header = null;
        ids = quantIds = [];
        if (s.Length < 6 || s[0] != 8)
        {
            return false;
        }

        var height = (s[1] << 8) | s[2];
        var width = (s[3] << 8) | s[4];
        var count = s[5];
        if (height == 0 || width == 0 || (count != 1 && count != 3) || s.Length != 6 + (3 * count))
        {
            return false;
        }

        var components = new JpegDecoderComponent[count];
        ids = new int[count];
        quantIds = new int[count];
        for (var i = 0; i < count; i++)
        {
            var c = s.Slice(6 + (3 * i), 3);
            (ids[i], quantIds[i]) = (c[0], c[2]);
            components[i] = new JpegDecoderComponent { H = c[1] >> 4, V = c[1] & 15 };
            if (quantIds[i] > 3 || Array.IndexOf(ids, ids[i], 0, i) >= 0)
            {
                return false;
            }
        }

        if (count == 1)
        {
            if (components[0].H != 1 || components[0].V != 1)
            {
                return false;
            }
        }
        else
        {
            // libjpeg's reading of three components without an Adobe marker: YCbCr unless the ids spell R, G, B.
            var (y, cb, cr) = (components[0], components[1], components[2]);
            if ((ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B')
                || !((y.H, y.V) is (1, 1) or (2, 1) or (2, 2))
                || (cb.H, cb.V, cr.H, cr.V) != (1, 1, 1, 1))
            {
                return false;
            }
        }

        header = new JpegDecoderHeader { Width = width, Height = height, Components = components };
        header.HMax = components.Max(c => c.H);
        header.VMax = components.Max(c => c.V);
        foreach (var c in components)
        {
            c.DownsampledWidth = (int)(((long)width * c.H + header.HMax - 1) / header.HMax);
            c.DownsampledHeight = (int)(((long)height * c.V + header.VMax - 1) / header.VMax);
            c.BlocksPerLine = header.McusPerLine * c.H;
        }

        return true;
    }

    private static bool ReadHuffmanTables(ReadOnlySpan<byte> s, JpegDecoderHuffmanTable?[] dc, JpegDecoderHuffmanTable?[] ac)
    {
        while (s.Length > 0)
        {
            if (s.Length < 17 || (s[0] >> 4) > 1 || (s[0] & 15) > 3)
            {
                return false;
            }

            var counts = s.Slice(1, 16);
            var total = 0;
            foreach (var n in counts)
            {
                total += n;
            }

            if (total > 256 || s.Length < 17 + total)
            {
                return false;
            }

            var table = JpegDecoderHuffmanTable.TryBuild(counts, s.Slice(17, total), isDc: (s[0] >> 4) == 0);
            if (table is null)
            {
                return false;
            }

            ((s[0] >> 4) == 0 ? dc : ac)[s[0] & 15] = table;
            s = s[(17 + total)..];
        }

        return true;
    }

    private static bool ReadQuantTables(ReadOnlySpan<byte> s, ushort[]?[] quant)
    {
        while (s.Length > 0)
        {
            // 16-bit tables are left to libjpeg: its multiplier type may not hold their values.
            if (s.Length < 65 || (s[0] >> 4) != 0 || (s[0] & 15) > 3)
            {
                return false;
            }

            var table = new ushort[64];
            for (var k = 0; k < 64; k++)
            {
                table[JpegTables.ZigzagToNatural[k]] = s[1 + k];
            }

            quant[s[0] & 15] = table;
            s = s[65..];
        }

        return true;
    }

    private static bool ReadScan(
        ReadOnlySpan<byte> s, JpegDecoderHeader header, int[] ids, int[] quantIds, ushort[]?[] quant,
        JpegDecoderHuffmanTable?[] dc, JpegDecoderHuffmanTable?[] ac)
    {
        var count = header.Components.Length;
        if (s.Length != 4 + (2 * count) || s[0] != count)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var (id, tables) = (s[1 + (2 * i)], s[2 + (2 * i)]);
            var c = header.Components[i];
            if (id != ids[i] || (tables >> 4) > 3 || (tables & 15) > 3
                || dc[tables >> 4] is not { IsDc: true } d || ac[tables & 15] is not { } a || quant[quantIds[i]] is not { } q)
            {
                return false;
            }

            (c.Dc, c.Ac, c.Quant) = (d, a, q);
        }

        // Spectral selection 0–63 and no successive approximation: a sequential scan.
        var tail = s[(1 + (2 * count))..];
        return tail[0] == 0 && tail[1] == 63 && tail[2] == 0;
    }
}
