using System.Diagnostics;
using ConvSharp.Data;
using static ConvSharp.Tests.Data.IdxBytes;

namespace ConvSharp.Tests.Data;

/// <summary>DataLoader: every example once per epoch, seeded shuffling, dropLast, the background thread.</summary>
public sealed class DataLoaderTests
{
    /// <summary>N examples of shape (1, 1, 2): example i holds (i, −i), and its label is i % 10.</summary>
    private static MnistDataset Numbered(int n)
    {
        var values = new float[n * 2];
        for (var i = 0; i < n; i++)
        {
            (values[2 * i], values[(2 * i) + 1]) = (i, -i);
        }

        return new MnistDataset(Tensor.FromArray(values, n, 1, 1, 2), [.. Enumerable.Range(0, n).Select(i => i % 10)]);
    }

    /// <summary>The example indices of one epoch, batch by batch, checking that each batch's images and labels agree.</summary>
    private static List<int[]> Epoch(IEnumerable<Batch> epoch)
    {
        var batches = new List<int[]>();
        foreach (var (images, labels) in epoch)
        {
            Assert.Equal(labels.Length, images.Shape[0]);
            Assert.Equal([1, 1, 2], images.Shape[1..]);
            var values = images.ToArray();
            var indices = Enumerable.Range(0, labels.Length).Select(k => (int)values[2 * k]).ToArray();
            for (var k = 0; k < labels.Length; k++)
            {
                Assert.Equal(-indices[k], values[(2 * k) + 1]);
                Assert.Equal(indices[k] % 10, labels[k]);
            }

            batches.Add(indices);
        }

        return batches;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_example_comes_exactly_once_per_epoch_the_last_batch_partial(bool shuffle)
    {
        var loader = new DataLoader(Numbered(103), batchSize: 10, shuffle: shuffle, seed: 7);
        Assert.Equal(11, loader.BatchCount);
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var batches = Epoch(loader);
            Assert.Equal(11, batches.Count);
            Assert.All(batches[..10], b => Assert.Equal(10, b.Length));
            Assert.Equal(3, batches[10].Length);
            var seen = batches.SelectMany(b => b).ToArray();
            Assert.Equal(Enumerable.Range(0, 103), seen.Order());
            Assert.Equal(!shuffle, seen.SequenceEqual(Enumerable.Range(0, 103)));
        }
    }

    [Fact]
    public void Real_images_come_out_as_the_dataset_holds_them()
    {
        var data = FashionMnist.Load(Path.GetDirectoryName(Subset("NOTICE.md"))!, train: false);
        var loader = new DataLoader(data, batchSize: 64);
        var first = loader.First();
        Assert.Equal([64, 1, 28, 28], first.Images.Shape);
        Assert.Equal(data.Images.ToArray()[..(64 * 784)], first.Images.ToArray());
        Assert.Equal(data.Labels[..64], first.Labels);
        Assert.Equal(64, first.Count);
        Assert.Equal(8, loader.BatchCount); // 500 = 7 x 64 + 52
        Assert.Equal(52, loader.Last().Count);
    }

    [Fact]
    public void Shuffling_is_deterministic_per_seed_and_new_each_epoch()
    {
        var data = Numbered(50);
        List<int[]>[] Epochs(ulong seed)
        {
            var loader = new DataLoader(data, batchSize: 8, shuffle: true, seed: seed);
            return [Epoch(loader), Epoch(loader), Epoch(loader)];
        }

        static int[] Flat(List<int[]> epoch) => [.. epoch.SelectMany(b => b)];
        var a = Epochs(42);
        var b = Epochs(42);
        var c = Epochs(43);
        for (var e = 0; e < 3; e++)
        {
            Assert.Equal(Flat(a[e]), Flat(b[e]));
            Assert.NotEqual(Flat(a[e]), Flat(c[e]));
        }

        Assert.NotEqual(Flat(a[0]), Flat(a[1]));
        Assert.NotEqual(Flat(a[1]), Flat(a[2]));
    }

    [Fact]
    public void Without_a_seed_the_global_generator_seeds_the_shuffle()
    {
        var data = Numbered(40);
        Rng.ManualSeed(123);
        var first = Epoch(new DataLoader(data, 5, shuffle: true)).SelectMany(b => b).ToArray();
        Rng.ManualSeed(123);
        var again = Epoch(new DataLoader(data, 5, shuffle: true)).SelectMany(b => b).ToArray();
        Assert.Equal(first, again);
    }

    [Fact]
    public void The_permutation_is_pytorchs_randperm_walk()
    {
        // Fisher–Yates from the front with 32-bit draws mod (n − i), on MT19937 seeded with 5489.
        var engine = new ConvSharp.Randomness.MersenneTwister(5489);
        var expected = Enumerable.Range(0, 20).ToArray();
        for (var i = 0; i < 19; i++)
        {
            var z = i + (int)(engine.NextUInt32() % (uint)(20 - i));
            (expected[i], expected[z]) = (expected[z], expected[i]);
        }

        Assert.Equal(expected, new ConvSharp.Randomness.Generator(5489).Permutation(20));
        Assert.Equal([0], new ConvSharp.Randomness.Generator(1).Permutation(1));
        Assert.Empty(new ConvSharp.Randomness.Generator(1).Permutation(0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DropLast_leaves_out_the_short_batch(bool shuffle)
    {
        var loader = new DataLoader(Numbered(103), batchSize: 10, shuffle: shuffle, seed: 1, dropLast: true);
        Assert.Equal(10, loader.BatchCount);
        var left = new HashSet<int>();
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var batches = Epoch(loader);
            Assert.Equal(10, batches.Count);
            Assert.All(batches, b => Assert.Equal(10, b.Length));
            var seen = batches.SelectMany(b => b).ToArray();
            Assert.Equal(100, seen.Distinct().Count());
            left.UnionWith(Enumerable.Range(0, 103).Except(seen));
        }

        // In order, the same three are always left out; shuffled, different ones each epoch.
        Assert.Equal(shuffle ? 6 : 3, left.Count);
        Assert.Equal(10, new DataLoader(Numbered(100), 10, dropLast: true).BatchCount);
    }

    [Fact]
    public void Bad_arguments_are_refused_clearly()
    {
        var data = Numbered(10);
        Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, -3));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new DataLoader(Numbered(0), 4)).Message, StringComparison.Ordinal);
        Assert.Contains("leaves no batch", Assert.Throws<ArgumentException>(() => new DataLoader(data, 11, dropLast: true)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new DataLoader(null!, 4));
        Assert.Single(new DataLoader(data, 11)); // one short batch without dropLast
    }

    [Fact]
    public void An_exception_while_assembling_reaches_the_caller_after_the_batches_before_it()
    {
        var loader = new DataLoader(new Failing(Numbered(30), failAt: 17), batchSize: 4);
        using var epoch = loader.GetEnumerator();
        for (var b = 0; b < 4; b++)
        {
            Assert.True(epoch.MoveNext());
        }

        var e = Assert.Throws<InvalidOperationException>(() => epoch.MoveNext());
        Assert.Equal("example 17 is broken", e.Message);
        Assert.Contains(nameof(Failing.CopyExample), e.StackTrace, StringComparison.Ordinal);
        Assert.False(epoch.MoveNext());
    }

    [Fact]
    public void The_next_batch_is_assembled_while_the_caller_works_and_no_further()
    {
        var slow = new Counting(Numbered(40));
        var loader = new DataLoader(slow, batchSize: 4);
        using var epoch = loader.GetEnumerator();
        Assert.True(epoch.MoveNext()); // batch 0 is the caller's
        Assert.True(SpinWait.SpinUntil(() => slow.Copied == 8, TimeSpan.FromSeconds(10)), "batch 1 is assembled in the background");
        Thread.Sleep(100);
        Assert.Equal(8, slow.Copied); // and the queue holds one batch: batch 2 waits for the caller
        Assert.True(epoch.MoveNext());
        Assert.True(SpinWait.SpinUntil(() => slow.Copied == 12, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Leaving_an_epoch_early_stops_the_background_thread_without_hanging()
    {
        var blocking = new Blocking(Numbered(1000));
        var loader = new DataLoader(blocking, batchSize: 10);
        var clock = new Stopwatch();
        foreach (var batch in loader)
        {
            Assert.Equal(10, batch.Count);
            Assert.True(SpinWait.SpinUntil(() => blocking.Slow > 0, TimeSpan.FromSeconds(10)), "the next batch is being assembled");
            clock.Start();
            break; // the producer is in the middle of batch 1, 200 ms an example
        }

        // The producer stops at the next example, not at the end of the batch (2 s) or the epoch (3 min).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"leaving the epoch took {clock.Elapsed}");
        Assert.InRange(blocking.Slow, 1, 3);

        var epoch = loader.GetEnumerator();
        epoch.Dispose(); // before any MoveNext
        Assert.Throws<ObjectDisposedException>(() => epoch.MoveNext());
        epoch.Dispose();
    }

    [Fact]
    public void Cancellation_stops_the_epoch_with_OperationCanceledException()
    {
        using var cancel = new CancellationTokenSource();
        var loader = new DataLoader(Numbered(100), batchSize: 10);
        var taken = 0;
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Batches(cancel.Token))
            {
                if (++taken == 3)
                {
                    cancel.Cancel();
                }
            }
        });
        Assert.Equal(3, taken);
        Assert.Equal(10, Epoch(loader.Batches(CancellationToken.None)).Count);
    }

    /// <summary>A dataset that throws on one example.</summary>
    private sealed class Failing(IDataset inner, int failAt) : IDataset
    {
        public int Count => inner.Count;

        public IReadOnlyList<int> ExampleShape => inner.ExampleShape;

        public int CopyExample(int index, Span<float> destination) =>
            index == failAt ? throw new InvalidOperationException($"example {index} is broken") : inner.CopyExample(index, destination);
    }

    /// <summary>A dataset that counts the examples copied.</summary>
    private sealed class Counting(IDataset inner) : IDataset
    {
        private int _copied;

        public int Copied => Volatile.Read(ref _copied);

        public int Count => inner.Count;

        public IReadOnlyList<int> ExampleShape => inner.ExampleShape;

        public int CopyExample(int index, Span<float> destination)
        {
            Interlocked.Increment(ref _copied);
            return inner.CopyExample(index, destination);
        }
    }

    /// <summary>A dataset whose examples after the first batch take 200 ms each, as if read from a slow disk.</summary>
    private sealed class Blocking(IDataset inner) : IDataset
    {
        private int _slow;

        public int Slow => Volatile.Read(ref _slow);

        public int Count => inner.Count;

        public IReadOnlyList<int> ExampleShape => inner.ExampleShape;

        public int CopyExample(int index, Span<float> destination)
        {
            if (index >= 10)
            {
                Interlocked.Increment(ref _slow);
                Thread.Sleep(200);
            }

            return inner.CopyExample(index, destination);
        }
    }
}
