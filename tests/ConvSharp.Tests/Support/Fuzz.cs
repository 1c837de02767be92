using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvSharp.Tests.Support;

/// <summary>
/// A seeded, time-boxed fuzz loop. Iteration i draws from <c>new System.Random(seed + i)</c>, so
/// a failure names the one seed that reproduces it, and every run of CI draws the same cases.
/// The loop stops after its iterations or its seconds, whichever
/// comes first, so a slow machine (emulated ARM64, no SIMD) runs fewer cases rather than longer.
/// <c>CONVSHARP_FUZZ_SCALE=10</c> runs ten times as many, and as long, for a deeper local search.
/// </summary>
internal static partial class Fuzz
{
    [ThreadStatic]
    private static string? _case;

    public static FuzzTally Run(int seed, int iterations, double seconds, Func<System.Random, FuzzOutcome> body)
    {
        var tally = new FuzzTally();
        var scale = int.TryParse(Environment.GetEnvironmentVariable("CONVSHARP_FUZZ_SCALE"), CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;
        var clock = Stopwatch.StartNew();
        var done = 0;
        for (; done < iterations * scale && clock.Elapsed.TotalSeconds < seconds * scale; done++)
        {
            var caseSeed = seed + done;
            _case = null;
            try
            {
                tally.Add(body(new System.Random(caseSeed)));
            }
            catch (Exception e) when (e is not FuzzCaseException)
            {
                throw new FuzzCaseException($"fuzz case with seed {caseSeed} ({_case ?? "not described"}) failed: {e}", e);
            }
        }

        return tally;
    }

    /// <summary>Names the case being run, for the failure message should it fail.</summary>
    public static string Describe(string what) => _case = what;

    /// <summary>
    /// A small legal value in [<paramref name="low"/>, <paramref name="high"/>], or with probability
    /// <paramref name="rate"/> an extreme one (−1, 0, 2^30, int.MaxValue, …): the values where
    /// arithmetic wraps and buffers run out. Cases draw their rate, so some have one extreme
    /// argument among legal ones and some have several.
    /// </summary>
    public static int Extreme(System.Random r, double rate, int low, int high) =>
        r.NextDouble() < rate ? ExtremeValues[r.Next(ExtremeValues.Length)] : r.Next(low, high + 1);

    /// <summary>How often a case's arguments are extreme: none, one in ten, or one in three.</summary>
    public static double Rate(System.Random r) => r.Next(3) switch { 0 => 0.0, 1 => 0.1, _ => 0.35 };

    /// <summary>
    /// No number in an error message may be a wrapped one: every negative integer in it must be
    /// one of <paramref name="numbers"/>, the arguments the caller passed in and the (true,
    /// 64-bit) sizes the definition derives from them.
    /// </summary>
    public static void AssertNoWrappedNumbers(string message, IEnumerable<long> numbers)
    {
        var given = numbers.Where(a => a < 0).ToHashSet();
        foreach (Match m in Integer().Matches(message))
        {
            var value = long.Parse(m.Value, CultureInfo.InvariantCulture);
            Assert.True(value >= 0 || given.Contains(value), $"the message quotes {value}, which is neither an argument nor a size derived from them: {message}");
        }
    }

    private static readonly int[] ExtremeValues =
        [int.MinValue, -1, 0, 1, 2, 3, 1 << 16, 46341, 1 << 20, (1 << 29) + 1, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, int.MaxValue - 1, int.MaxValue];

    [GeneratedRegex(@"(?<![\w.])-?\d+(?![\w.])")]
    private static partial Regex Integer();
}

/// <summary>What became of one fuzz case.</summary>
internal enum FuzzOutcome
{
    /// <summary>The call succeeded and agreed with the reference.</summary>
    Computed,

    /// <summary>The call was refused with the documented exception, as the reference expected.</summary>
    Refused,

    /// <summary>Legal but too large to compute here: only the sizes were checked.</summary>
    SizesOnly,

    /// <summary>The draw was not a usable case (its tensors would be too large to make).</summary>
    Skipped,
}

/// <summary>How many fuzz cases ended each way, so a test can insist that both successes and refusals were exercised.</summary>
internal sealed class FuzzTally
{
    private readonly int[] _counts = new int[4];

    public int this[FuzzOutcome outcome] => _counts[(int)outcome];

    public int Total => _counts.Sum();

    public void Add(FuzzOutcome outcome) => _counts[(int)outcome]++;

    /// <summary>At least <paramref name="fraction"/> of the cases computed a result and as many were refused.</summary>
    public void AssertBothWays(double fraction = 0.1)
    {
        Assert.True(this[FuzzOutcome.Computed] >= fraction * Total, $"only {this} computed a result");
        Assert.True(this[FuzzOutcome.Refused] >= fraction * Total, $"only {this} were refused");
    }

    public override string ToString() =>
        $"{this[FuzzOutcome.Computed]} computed, {this[FuzzOutcome.Refused]} refused, {this[FuzzOutcome.SizesOnly]} sized, {this[FuzzOutcome.Skipped]} skipped of {Total}";
}

/// <summary>A fuzz case that failed, with the seed that replays it.</summary>
internal sealed class FuzzCaseException(string message, Exception inner) : Exception(message, inner);
