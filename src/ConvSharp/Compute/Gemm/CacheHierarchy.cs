using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace ConvSharp.Compute.Gemm;

/// <summary>One data (or unified) cache level as the CPU describes it.</summary>
/// <param name="Level">1, 2 or 3</param>
/// <param name="Ways">associativity</param>
/// <param name="Sets">number of sets</param>
/// <param name="LineBytes">bytes per line</param>
/// <param name="SharedBy">logical processors sharing this cache</param>
internal readonly record struct CacheLevel(int Level, int Ways, int Sets, int LineBytes, int SharedBy)
{
    public long Bytes => (long)Ways * Sets * LineBytes;

    /// <summary>Bytes of one way: <see cref="Sets"/> lines, the unit the BLIS model counts in.</summary>
    public long WayBytes => (long)Sets * LineBytes;

    public override string ToString() =>
        $"L{Level} {Bytes / 1024} KB, {Ways}-way, {Sets} sets of {LineBytes} B{(SharedBy > 1 ? $", shared by {SharedBy}" : "")}";
}

/// <summary>
/// The data caches of this CPU, read once: CPUID leaf 4 (Intel) or 0x8000001D (AMD) on x86,
/// <c>/sys/devices/system/cpu/cpu0/cache</c> elsewhere on Linux, and a typical desktop core
/// (32 KB 8-way L1, 512 KB 8-way L2, 8 MB 16-way L3) when neither answers. The GEMM's blocking is
/// derived from these (<see cref="GemmBlocking.Derive"/>), so no constant is tuned to one chip.
/// </summary>
internal sealed record CacheHierarchy(CacheLevel L1, CacheLevel L2, CacheLevel L3, string Source)
{
    public static CacheHierarchy Typical { get; } = new(
        new CacheLevel(1, 8, 64, 64, 1), new CacheLevel(2, 8, 1024, 64, 1), new CacheLevel(3, 16, 8192, 64, 8), "assumed");

    public static CacheHierarchy Current { get; } = Detect();

    public override string ToString() => $"{L1}; {L2}; {L3} ({Source})";

    private static CacheHierarchy Detect()
    {
        try
        {
            return FromCpuid() ?? FromSysfs("/sys/devices/system/cpu/cpu0/cache") ?? Typical;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return Typical;
        }
    }

    /// <summary>The deterministic cache parameters of CPUID leaf 4 (Intel) or 0x8000001D (AMD, with TOPOEXT): same layout.</summary>
    private static CacheHierarchy? FromCpuid()
    {
        if (!X86Base.IsSupported)
        {
            return null;
        }

        var (maxBasic, vendorB, _, _) = X86Base.CpuId(0, 0);
        var amd = vendorB == 0x6874_7541; // "Auth" of AuthenticAMD
        int leaf;
        if (amd)
        {
            var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x8000_0000), 0);
            var (_, _, ecx, _) = X86Base.CpuId(unchecked((int)0x8000_0001), 0);
            var topologyExtensions = (ecx & (1 << 22)) != 0;
            if (!topologyExtensions || (uint)maxExtended < 0x8000_001D)
            {
                return null;
            }

            leaf = unchecked((int)0x8000_001D);
        }
        else
        {
            if (maxBasic < 4)
            {
                return null;
            }

            leaf = 4;
        }

        var levels = new List<CacheLevel>();
        for (var index = 0; index < 16; index++)
        {
            var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, index);
            var type = eax & 0x1F; // 0 none, 1 data, 2 instruction, 3 unified
            if (type == 0)
            {
                break;
            }

            if (type is 1 or 3)
            {
                levels.Add(new CacheLevel(
                    Level: (eax >> 5) & 0x7,
                    Ways: ((ebx >> 22) & 0x3FF) + 1,
                    Sets: ecx + 1,
                    LineBytes: (ebx & 0xFFF) + 1,
                    SharedBy: ((eax >> 14) & 0xFFF) + 1));
            }
        }

        return Assemble(levels, amd ? "CPUID 0x8000001D" : "CPUID 4");
    }

    internal static CacheHierarchy? FromSysfs(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var levels = new List<CacheLevel>();
        foreach (var index in Directory.EnumerateDirectories(folder, "index*"))
        {
            string Read(string name) => File.ReadAllText(Path.Combine(index, name)).Trim();
            var type = Read("type");
            if (type is not ("Data" or "Unified") || !File.Exists(Path.Combine(index, "number_of_sets")))
            {
                continue;
            }

            levels.Add(new CacheLevel(
                Level: int.Parse(Read("level"), CultureInfo.InvariantCulture),
                Ways: int.Parse(Read("ways_of_associativity"), CultureInfo.InvariantCulture),
                Sets: int.Parse(Read("number_of_sets"), CultureInfo.InvariantCulture),
                LineBytes: int.Parse(Read("coherency_line_size"), CultureInfo.InvariantCulture),
                SharedBy: CountCpus(File.Exists(Path.Combine(index, "shared_cpu_list")) ? Read("shared_cpu_list") : "0")));
        }

        return Assemble(levels, "sysfs");
    }

    /// <summary>Processors in a list such as "0-3,8-11".</summary>
    internal static int CountCpus(string list)
    {
        var count = 0;
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            count += dash < 0
                ? 1
                : int.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture) - int.Parse(part[..dash], CultureInfo.InvariantCulture) + 1;
        }

        return Math.Max(count, 1);
    }

    /// <summary>
    /// L1, L2 and L3 from what was found, each checked for sense (a hypervisor may report zeros);
    /// a missing L3 is taken as the L2 (the model then sizes NC from L2, which only makes it smaller).
    /// </summary>
    private static CacheHierarchy? Assemble(List<CacheLevel> levels, string source)
    {
        CacheLevel? Find(int level) => levels.Where(c => c.Level == level && c.Ways > 0 && c.Sets > 0 && c.LineBytes is >= 16 and <= 1024)
            .Select(c => (CacheLevel?)c).FirstOrDefault();
        var l1 = Find(1);
        var l2 = Find(2);
        if (l1 is null || l2 is null || l1.Value.Bytes < 8 << 10 || l2.Value.Bytes < l1.Value.Bytes)
        {
            return null;
        }

        return new CacheHierarchy(l1.Value, l2.Value, Find(3) ?? l2.Value, source);
    }
}
