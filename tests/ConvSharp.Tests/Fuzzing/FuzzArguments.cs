using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Fuzzing;

/// <summary>What the geometry fuzz tests share: the budgets of a case, and the check of a refusal.</summary>
internal static class FuzzArguments
{
    /// <summary>Elements a legal call may allocate (output, padded input) and multiply-adds it may cost, for the test to run it.</summary>
    public const long ElementBudget = 60_000;

    public const long WorkBudget = 2_000_000;

    /// <summary>TensorFlow's 'same' split for one axis, in 64-bit arithmetic.</summary>
    public static (long Before, long After) Same(long size, long kernel, long stride, long dilation)
    {
        var outSize = (size + stride - 1) / stride;
        var total = Math.Max(((outSize - 1) * stride) + ((kernel - 1) * dilation) + 1 - size, 0);
        return (total / 2, total - (total / 2));
    }

    /// <summary>Mostly 1 to <paramref name="small"/>, now and then a long row or column that a small tensor can still hold.</summary>
    public static int SmallOrLong(System.Random r, int small = 9) => r.Next(12) == 0 ? r.Next(1, 1 << 14) : r.Next(1, small + 1);

    /// <param name="call">the call that must be refused</param>
    /// <param name="numbers">the arguments, and any negative size the definition derives from them (such a size is true, not wrapped)</param>
    /// <param name="what">the case, for the failure message</param>
    public static void ExpectRefusal(Func<Tensor> call, long[] numbers, string what)
    {
        var thrown = Record.Exception(() => call());
        if (thrown is not ArgumentException e)
        {
            throw new Xunit.Sdk.XunitException($"{what}: expected an ArgumentException, but got {(thrown is null ? "a result" : thrown.ToString())}");
        }

        Assert.False(string.IsNullOrWhiteSpace(e.Message), what);
        Fuzz.AssertNoWrappedNumbers(e.Message, numbers);
    }
}
