using ConvSharp.Compute;
using ConvSharp.Compute.Parallel;

namespace ConvSharp.Ops;

/// <summary>
/// How element-wise work over one long run is split over threads: fixed chunks of
/// <see cref="Elements"/>, so a sum of chunk partials has the same grouping for any thread count.
/// </summary>
internal static class ElementChunks
{
    /// <summary>Elements per work item: whole cache lines, and enough work to pay for a hand-off.</summary>
    public const int Elements = 1 << 15;

    /// <summary>Whether a run of <paramref name="length"/> elements is done in one piece on the calling thread: below two chunks' worth, or with one thread.</summary>
    public static bool RunsInline(int length) => length < 2 * Elements || ConvPlanOptions.Current.Threads == 1;

    /// <summary>Runs body(start, count) over [0, length): in one piece when <see cref="RunsInline"/>, else chunk by chunk over the threads.</summary>
    public static void For(int length, Action<int, int> body)
    {
        if (RunsInline(length))
        {
            body(0, length);
            return;
        }

        ParallelRunner.For(EvenSplit.Count(length, Elements), ConvPlanOptions.Current.Threads, chunk =>
        {
            var start = chunk * Elements;
            body(start, Math.Min(Elements, length - start));
        });
    }

    /// <summary>kernel(source, result) chunk by chunk over the threads (see <see cref="For"/>); both spans are equally long.</summary>
    public static unsafe void Map(ReadOnlySpan<float> source, Span<float> result, ActivationOps.UnaryKernel kernel)
    {
        fixed (float* xs = source, ys = result)
        {
            // In bounds: every chunk [start, start + count) lies in both spans, each source.Length long.
            var (xp, yp) = ((nint)xs, (nint)ys);
            For(source.Length, (start, count) =>
                kernel(new ReadOnlySpan<float>((float*)xp + start, count), new Span<float>((float*)yp + start, count)));
        }
    }

    /// <summary>kernel(a, b, result) chunk by chunk over the threads (see <see cref="For"/>); the three spans are equally long.</summary>
    public static unsafe void Zip(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result, ActivationOps.BinaryKernel kernel)
    {
        fixed (float* ap = a, bp = b, rp = result)
        {
            // In bounds: every chunk [start, start + count) lies in the three spans, each a.Length long.
            var (aa, bb, rr) = ((nint)ap, (nint)bp, (nint)rp);
            For(a.Length, (start, count) => kernel(
                new ReadOnlySpan<float>((float*)aa + start, count),
                new ReadOnlySpan<float>((float*)bb + start, count),
                new Span<float>((float*)rr + start, count)));
        }
    }
}
