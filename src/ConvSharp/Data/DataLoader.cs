using System.Collections;
using System.Runtime.ExceptionServices;
using ConvSharp.Randomness;

namespace ConvSharp.Data;

/// <summary>
/// Batches a dataset for training, as PyTorch's <c>DataLoader</c> with a map-style dataset:
/// each enumeration is one epoch of (images (B, …), labels) <see cref="Batch"/>es, in order or
/// in a fresh random order, the last one smaller unless <see cref="DropLast"/>.
/// </summary>
/// <remarks>
/// <para>While the caller computes on one batch, the next is assembled on a background thread
/// (one batch waits at most: memory holds the caller's batch and the next). An exception thrown
/// while assembling (by <see cref="IDataset.CopyExample"/>) reaches the caller, with its own type
/// and stack trace, from the <c>MoveNext</c> that would have returned that batch. Leaving a
/// <c>foreach</c> early disposes the epoch: the background thread stops and is waited for.</para>
/// <para>With <see cref="Shuffle"/>, each epoch draws a new permutation from a ConvSharp
/// <c>Generator</c> (Mersenne Twister) seeded once, at construction, with the caller's seed:
/// epoch k's order depends only on the seed and k, and is the order of the k-th
/// <c>torch.randperm(n, generator=g)</c> after <c>g.manual_seed(seed)</c> (PyTorch's
/// <c>RandomSampler</c> with that generator). Without a seed, the seed is drawn from the global
/// generator, so <see cref="Rng.ManualSeed"/> makes it reproducible too.</para>
/// </remarks>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly Generator? _generator;
    private readonly int[] _exampleShape;
    private readonly int _exampleSize;

    /// <summary>A loader of <paramref name="dataset"/> in batches of <paramref name="batchSize"/>.</summary>
    /// <param name="dataset">the examples; its count is read now, and its examples are read on a background thread during each epoch</param>
    /// <param name="batchSize">examples per batch, at least 1</param>
    /// <param name="shuffle">a new random order each epoch (true) or the dataset's order (false)</param>
    /// <param name="seed">the seed of the shuffling generator; null draws one from ConvSharp's global generator. Unused without <paramref name="shuffle"/>.</param>
    /// <param name="dropLast">leave out the last batch when it would be smaller than <paramref name="batchSize"/></param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1</exception>
    /// <exception cref="ArgumentException">the dataset is empty, or <paramref name="dropLast"/> would leave no batch at all</exception>
    public DataLoader(IDataset dataset, int batchSize, bool shuffle = false, ulong? seed = null, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be at least 1, but it is {batchSize}.");
        }

        var count = dataset.Count;
        if (count < 1)
        {
            throw new ArgumentException("The dataset is empty: there is nothing to batch.", nameof(dataset));
        }

        if (dropLast && batchSize > count)
        {
            throw new ArgumentException(
                $"batchSize {batchSize} with dropLast leaves no batch at all from a dataset of {count} examples.", nameof(batchSize));
        }

        _exampleShape = [.. dataset.ExampleShape];
        var largest = Shapes.NumElements([Math.Min(batchSize, count), .. _exampleShape]); // checks that a whole batch fits an array
        _exampleSize = largest / Math.Min(batchSize, count);
        Dataset = dataset;
        Count = count;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _generator = shuffle ? new Generator(seed ?? Rng.Default.NextUInt64()) : null;
    }

    /// <summary>The dataset batched.</summary>
    public IDataset Dataset { get; }

    /// <summary>The number of examples, as the dataset said at construction.</summary>
    public int Count { get; }

    /// <summary>Examples per batch (the last batch of an epoch may hold fewer unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the examples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last batch smaller than <see cref="BatchSize"/> is left out.</summary>
    public bool DropLast { get; }

    /// <summary>The number of batches in each epoch: PyTorch's <c>len(loader)</c>.</summary>
    public int BatchCount => DropLast ? Count / BatchSize : (int)(((long)Count + BatchSize - 1) / BatchSize);

    /// <summary>Starts an epoch: draws its order (when shuffling) and starts assembling its first batch.</summary>
    public IEnumerator<Batch> GetEnumerator() => new Epoch(this, CancellationToken.None);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// One epoch, as <c>foreach</c> over the loader gives, that stops when
    /// <paramref name="cancellationToken"/> is cancelled: the background thread stops, and the
    /// waiting <c>MoveNext</c> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public IEnumerable<Batch> Batches(CancellationToken cancellationToken)
    {
        return Run();

        IEnumerable<Batch> Run()
        {
            using var epoch = new Epoch(this, cancellationToken);
            while (epoch.MoveNext())
            {
                yield return epoch.Current;
            }
        }
    }

    private int[] NextOrder()
    {
        if (_generator is not null)
        {
            return _generator.Permutation(Count);
        }

        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        return order;
    }

    /// <summary>
    /// One pass over the data. A background thread assembles batches into a single slot; the
    /// caller takes each from the slot, which lets the thread assemble the next. Two semaphores
    /// pass the slot back and forth, so each side sees what the other wrote.
    /// </summary>
    private sealed class Epoch : IEnumerator<Batch>
    {
        private readonly DataLoader _loader;
        private readonly int[] _order;
        private readonly int _batchCount;
        private readonly CancellationToken _callerToken;
        private readonly CancellationTokenSource _stop;
        private readonly SemaphoreSlim _free = new(1, 1);
        private readonly SemaphoreSlim _filled = new(0, 1);
        private readonly Thread _producer;
        private Batch? _slot;
        private ExceptionDispatchInfo? _failure;
        private Batch? _current;
        private bool _finished;
        private bool _disposed;

        public Epoch(DataLoader loader, CancellationToken cancellationToken)
        {
            _loader = loader;
            _order = loader.NextOrder();
            _batchCount = loader.BatchCount;
            _callerToken = cancellationToken;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _producer = new Thread(Produce) { IsBackground = true, Name = "ConvSharp DataLoader" };
            _producer.Start();
        }

        public Batch Current => _current ?? throw new InvalidOperationException("MoveNext has not returned a batch yet.");

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_finished)
            {
                return false;
            }

            try
            {
                _filled.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                _finished = true;
                _callerToken.ThrowIfCancellationRequested();
                throw;
            }

            var batch = _slot;
            _slot = null;
            if (batch is null)
            {
                // The end of the epoch, or a failure: either way the producer has stopped.
                _finished = true;
                _current = null;
                _failure?.Throw();
                return false;
            }

            _current = batch;
            _free.Release();
            return true;
        }

        public void Reset() => throw new NotSupportedException("An epoch cannot be restarted; enumerate the DataLoader again for a new epoch.");

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stop.Cancel();
            _producer.Join();
            _stop.Dispose();
            _free.Dispose();
            _filled.Dispose();
        }

        private void Produce()
        {
            var token = _stop.Token;
            try
            {
                for (var b = 0; b < _batchCount; b++)
                {
                    _free.Wait(token);
                    _slot = Assemble(b, token);
                    _filled.Release();
                }

                _free.Wait(token);
                _filled.Release(); // an empty slot: the end
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Disposed or cancelled: nobody waits for more.
            }
            catch (Exception e)
            {
                // Thrown while assembling, so this thread holds the slot: hand over the failure.
                _failure = ExceptionDispatchInfo.Capture(e);
                _slot = null;
                _filled.Release();
            }
        }

        private Batch Assemble(int b, CancellationToken token)
        {
            var loader = _loader;
            var start = b * loader.BatchSize;
            var size = Math.Min(loader.BatchSize, loader.Count - start);
            var exampleSize = loader._exampleSize;
            var values = new float[size * exampleSize];
            var labels = new int[size];
            for (var i = 0; i < size; i++)
            {
                token.ThrowIfCancellationRequested();
                labels[i] = loader.Dataset.CopyExample(_order[start + i], values.AsSpan(i * exampleSize, exampleSize));
            }

            return new Batch(new Tensor(values, [size, .. loader._exampleShape]), labels);
        }
    }
}
