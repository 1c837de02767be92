namespace ConvSharp.Compute.Parallel;

/// <summary>Cuts [0, n) into a number of parts of nearly equal size (the first ones no larger than the last), in 64 bits.</summary>
internal static class EvenSplit
{
    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> over [0, <paramref name="n"/>).</summary>
    public static (int Start, int End) Part(int n, int parts, int part) =>
        ((int)((long)n * part / parts), (int)((long)n * (part + 1) / parts));

    /// <summary>The largest of <paramref name="parts"/> parts over [0, <paramref name="n"/>).</summary>
    public static int Widest(int n, int parts) => (int)((n + (long)parts - 1) / Math.Max(parts, 1));

    /// <summary>Parts of at most <paramref name="size"/> needed to cover [0, <paramref name="n"/>).</summary>
    public static int Count(int n, int size) => (int)((n + (long)size - 1) / Math.Max(size, 1));
}
