using System.Collections.Concurrent;
using ConvSharp.Interop;

namespace ConvSharp.Cli.Filtering;

/// <summary>
/// Puts finished files in place on threads of their own while the next images are filtered:
/// <see cref="AtomicFile.Pending.Commit"/> flushes a file to the disk, then renames it, and the
/// flush waits on the disk (a few milliseconds a file here) with the CPU idle. Files stay exactly
/// as safe: each is still flushed before its rename. At most <see cref="MaxWaiting"/> files wait
/// in the queue (each holds an open handle); a worker that would add one more waits for a place,
/// holding its own, so the open files number at most that plus the workers and committers.
/// </summary>
internal sealed class BackgroundCommits : IDisposable
{
    /// <summary>Files written and not yet in place, at most.</summary>
    public const int MaxWaiting = 32;

    /// <summary>Threads that flush and rename: flushes of several files overlap (the file system groups them).</summary>
    private const int Committers = 2;

    private readonly BlockingCollection<Item> _waiting = new(MaxWaiting);
    private readonly Thread[] _threads;

    public BackgroundCommits()
    {
        _threads = [.. Enumerable.Range(0, Committers).Select(i => new Thread(Commit) { IsBackground = true, Name = $"convsharp commit {i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>
    /// Takes <paramref name="file"/> (which this then owns) to be put in place; calls
    /// <paramref name="done"/> once it is, or <paramref name="failed"/> with the error, on a commit thread.
    /// </summary>
    public void Add(AtomicFile.Pending file, Action done, Action<Exception> failed)
    {
        try
        {
            _waiting.Add(new Item(file, done, failed));
        }
        catch
        {
            file.Dispose(); // not taken: still ours to remove
            throw;
        }
    }

    /// <summary>Waits until every file added is in place or has failed.</summary>
    public void Finish()
    {
        if (!_waiting.IsAddingCompleted)
        {
            _waiting.CompleteAdding();
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }
    }

    public void Dispose()
    {
        Finish();
        _waiting.Dispose();
    }

    private void Commit()
    {
        foreach (var (file, done, failed) in _waiting.GetConsumingEnumerable())
        {
            try
            {
                file.Commit();
                done();
            }
            catch (Exception e)
            {
                // Nothing may escape a thread of its own (it would end the process): the failure is reported.
                try
                {
                    file.Dispose(); // removes the temporary file
                }
                catch (Exception)
                {
                    // Left for the next run's cleanup of stale temporary files.
                }

                failed(e);
            }
        }
    }

    private sealed record Item(AtomicFile.Pending File, Action Done, Action<Exception> Failed);
}
