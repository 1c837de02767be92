using ConvSharp.Compute.Gemm;

namespace ConvSharp.Tests.Compute;

/// <summary>The BLIS analytical model on caches worked out by hand, and reading the caches from sysfs.</summary>
public class GemmBlockingTests
{
    private static readonly CacheHierarchy Zen3 = new(
        new CacheLevel(1, 8, 64, 64, 1), new CacheLevel(2, 8, 1024, 64, 1), new CacheLevel(3, 16, 32768, 64, 16), "test");

    private static readonly CacheHierarchy SapphireRapids = new(
        new CacheLevel(1, 12, 64, 64, 2), new CacheLevel(2, 16, 2048, 64, 2), new CacheLevel(3, 15, 114688, 64, 112), "test");

    [Fact]
    public void Avx2_on_a_32_KB_8_way_L1_and_512_KB_L2()
    {
        // L1: a way is 4 KB. A on 2 ways holds 8192 / (6·4) = 341 deep, B on the other 5 of 7 holds
        // 20480 / (16·4) = 320: KC 320. L2: B's micro-panel takes ⌈320·16·4 / 64 KB⌉ = 1 way, A gets
        // 8 − 1 − 1 = 6 ways = 393216 B = 307 rows of 320 floats, 306 in whole 6-row panels.
        var blocking = GemmBlocking.Derive(GemmKernel.Avx2, Zen3);
        Assert.Equal((6, 16, 320, 306), (blocking.MR, blocking.NR, blocking.KC, blocking.MC));
        Assert.True(blocking.PackedBFloats(int.MaxValue) <= GemmBlocking.MaxPackedBFloats);
        Assert.Equal(0, blocking.NC % blocking.NR);
    }

    [Fact]
    public void Avx512_on_a_48_KB_12_way_L1_and_2_MB_L2()
    {
        // L1: A on 1 way holds 4096 / 24 = 170 deep, B on 10 ways 40960 / 256 = 160: KC 160 (two ways
        // for A would leave B 144). L2: B takes 1 way of 128 KB, A 14 ways = 1835008 B = 2867 rows of
        // 160 floats, 2862 in whole panels.
        var blocking = GemmBlocking.Derive(GemmKernel.Avx512, SapphireRapids);
        Assert.Equal((6, 64, 160, 2862), (blocking.MR, blocking.NR, blocking.KC, blocking.MC));
    }

    [Fact]
    public void Every_kernel_gets_sane_blocking_on_this_machine()
    {
        foreach (var kernel in Enum.GetValues<GemmKernel>())
        {
            var b = GemmBlocking.For(kernel);
            Assert.Equal(GemmBlocking.TileOf(kernel), (b.MR, b.NR));
            Assert.InRange(b.KC, 64, 1024);
            Assert.True(b.MC >= b.MR && b.MC % b.MR == 0, b.ToString());
            Assert.True(b.NC >= b.NR && b.NC % b.NR == 0, b.ToString());
        }
    }

    [Fact]
    public void Caches_are_read_from_sysfs_and_nonsense_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("convsharp-cache").FullName;
        try
        {
            void Index(int i, int level, string type, int ways, int sets, string shared)
            {
                var path = Directory.CreateDirectory(Path.Combine(folder, $"index{i}")).FullName;
                File.WriteAllText(Path.Combine(path, "level"), $"{level}\n");
                File.WriteAllText(Path.Combine(path, "type"), $"{type}\n");
                File.WriteAllText(Path.Combine(path, "ways_of_associativity"), $"{ways}\n");
                File.WriteAllText(Path.Combine(path, "number_of_sets"), $"{sets}\n");
                File.WriteAllText(Path.Combine(path, "coherency_line_size"), "64\n");
                File.WriteAllText(Path.Combine(path, "shared_cpu_list"), $"{shared}\n");
            }

            Index(0, 1, "Data", 12, 64, "0");
            Index(1, 1, "Instruction", 8, 64, "0");
            Index(2, 2, "Unified", 16, 2048, "0-1");
            Index(3, 3, "Unified", 15, 114688, "0-55,112-167");
            var caches = CacheHierarchy.FromSysfs(folder)!;
            Assert.Equal(SapphireRapids.L1 with { SharedBy = 1 }, caches.L1);
            Assert.Equal(2L << 20, caches.L2.Bytes);
            Assert.Equal(112, caches.L3.SharedBy);

            // A hypervisor reporting an L1 of nothing: the model's inputs would be nonsense, so none is taken.
            Index(0, 1, "Data", 0, 0, "0");
            Assert.Null(CacheHierarchy.FromSysfs(folder));
            Assert.Null(CacheHierarchy.FromSysfs(Path.Combine(folder, "missing")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
