using System.Numerics;
using ConvSharp.Compute;
using ConvSharp.Ops;
using ConvSharp.Tests.Support;

namespace ConvSharp.Tests.Ops;

/// <summary>
/// The vectorised element-wise ops and reductions against plain reference loops, at lengths around
/// the vector width and past the threading threshold, on contiguous tensors and strided or broadcast
/// views. CI runs this class again under DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0, so the
/// Vector128 body and the scalar fallback are held to the same answers.
/// </summary>
[Trait("Category", "Kernels")]
public class VectorisedOpsTests
{
    /// <summary>Around one and two vectors of 8 (AVX2) or 4 (SSE, NEON), and 70001: three threading chunks, the last short.</summary>
    public static TheoryData<int> Lengths => [0, 1, 7, 8, 9, 31, 33, 1000, 70001];

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Func<float, float, float> Reference)[] Binary =
    [
        ("a + b", (a, b) => a + b, (x, y) => x + y),
        ("a - b", (a, b) => a - b, (x, y) => x - y),
        ("a * b", (a, b) => a * b, (x, y) => x * y),
        ("a / b", (a, b) => a / b, (x, y) => x / y),
    ];

    private static readonly (string Name, Func<Tensor, Tensor> Op, Func<float, float> Reference)[] Exact =
    [
        ("a + 1.5", a => a + 1.5f, x => x + 1.5f),
        ("a - 0.3", a => a - 0.3f, x => x - 0.3f),
        ("0.3 - a", a => 0.3f - a, x => 0.3f - x),
        ("a * -2.5", a => a * -2.5f, x => x * -2.5f),
        ("a / 3", a => a / 3f, x => x / 3f),
        ("-a", a => -a, x => -x),
        ("|a|", a => a.Abs(), MathF.Abs),
        ("sqrt a", a => a.Sqrt(), MathF.Sqrt),
        ("a^2", a => a.Pow(2), x => x * x),
        ("a^1", a => a.Pow(1), x => x),
        ("a^0", a => a.Pow(0), _ => 1f),
        ("a^3", a => a.Pow(3), x => MathF.Pow(x, 3)),
        ("a^-0.5", a => a.Pow(-0.5f), x => MathF.Pow(x, -0.5f)),
    ];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Binary_ops_on_same_shape_contiguous_tensors_match_a_plain_loop_bit_for_bit(int n)
    {
        var (x, y) = (Values(n, seed: 1), Values(n, seed: 2));
        foreach (var (name, op, reference) in Binary)
        {
            var actual = op(Tensor.From(x), Tensor.From(y)).ToArray();
            AssertSameBits(x.Zip(y, reference).ToArray(), actual, $"{name}, n = {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Scalar_and_exact_unary_ops_match_a_plain_loop_bit_for_bit(int n)
    {
        var x = Values(n, seed: 3);
        foreach (var (name, op, reference) in Exact)
        {
            AssertSameBits(x.Select(reference).ToArray(), op(Tensor.From(x)).ToArray(), $"{name}, n = {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Exp_and_log_are_within_an_ulp_of_the_double_result_rounded_once(int n)
    {
        var x = Values(n, seed: 4);
        AssertWithinOneUlp(x.Select(v => (float)Math.Exp(v)).ToArray(), Tensor.From(x).Exp().ToArray(), $"exp, n = {n}");
        AssertWithinOneUlp(x.Select(v => (float)Math.Log(v)).ToArray(), Tensor.From(x).Log().ToArray(), $"log, n = {n}");
    }

    [Fact]
    public void Strided_and_broadcast_operands_match_a_plain_loop_for_every_row_kind()
    {
        foreach (var width in new[] { 1, 7, 8, 9, 33 })
        {
            const int rows = 5;
            var m = Tensor.From(Values(rows * width, seed: width), rows, width);
            var mt = Tensor.From(Values(rows * width, seed: width + 100), width, rows).T;    // strides [1, rows]
            var column = Tensor.From(Values(rows, seed: 7), rows, 1);                        // stride 0 along a row
            var row = Tensor.From(Values(width, seed: 8), width);                            // a broadcast row
            Tensor[][] pairs = [[m, mt], [mt, m], [m, column], [column, m], [m, row], [row, mt], [column, row], [m[1..4], m[..3]]];
            foreach (var pair in pairs)
            {
                var (a, b) = (pair[0], pair[1]);
                var shape = BroadcastShape(a, b);
                var (xa, xb) = (a.Expand(shape).ToArray(), b.Expand(shape).ToArray());
                foreach (var (name, op, reference) in Binary)
                {
                    var what = $"{name}, {Describe(a)} with {Describe(b)}";
                    AssertSameBits(xa.Zip(xb, reference).ToArray(), op(a, b).ToArray(), what);
                }
            }

            AssertSameBits(mt.ToArray().Select(v => v * v).ToArray(), mt.Pow(2).ToArray(), $"a^2 of a transposed {rows}x{width}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void In_place_updates_match_a_plain_loop_on_contiguous_broadcast_and_strided_destinations(int n)
    {
        var (x, y) = (Values(n, seed: 5), Values(n, seed: 6));

        var sum = Tensor.From(x);
        sum.AddInPlace(Tensor.From(y));
        AssertSameBits(x.Zip(y, (p, q) => p + q).ToArray(), sum.ToArray(), $"add_, n = {n}");

        var scaled = Tensor.From(x);
        scaled.MulInPlace(0.75f);
        AssertSameBits(x.Select(p => p * 0.75f).ToArray(), scaled.ToArray(), $"mul_ by a scalar, n = {n}");

        var copied = Tensor.From(x);
        copied.CopyFrom(Tensor.From(y));
        AssertSameBits(y, copied.ToArray(), $"copy_, n = {n}");

        var square = Tensor.From(x, 1, n).Expand(3, n).Contiguous();
        var transposed = square.T;                                    // a strided destination
        transposed.DivInPlace(Tensor.From(Values(3, seed: 9)));
        var divisors = Values(3, seed: 9);
        var expected = Enumerable.Range(0, 3 * n).Select(i => x[i % Math.Max(n, 1)] / divisors[i / Math.Max(n, 1)]).ToArray();
        AssertSameBits(expected, square.ToArray(), $"div_ into a transposed view, n = {n}");
    }

    [Fact]
    public void The_element_wise_loops_write_exactly_their_range_and_nothing_around_it()
    {
        var data = new TestData(11);
        foreach (var n in new[] { 0, 1, 7, 8, 9, 31, 33, 100 })
        {
            var x = Values(n, seed: n);
            var y = Values(n, seed: n + 1);
            var outputs = new[] { new GuardedBuffer(n, data), new GuardedBuffer(n, data), new GuardedBuffer(n, data), new GuardedBuffer(n, data) };
            ElementwiseLoops.Map(x, outputs[0].Values, new MulScalarOperator(3f));
            ElementwiseLoops.Zip(x, y, outputs[1].Values, new SubOperator());
            ElementwiseLoops.ZipRight(x, 2f, outputs[2].Values, new DivOperator());
            ElementwiseLoops.ZipLeft(2f, y, outputs[3].Values, new DivOperator());
            AssertSameBits(x.Select(v => v * 3f).ToArray(), outputs[0].Values.ToArray(), $"map, n = {n}");
            AssertSameBits(x.Zip(y, (p, q) => p - q).ToArray(), outputs[1].Values.ToArray(), $"zip, n = {n}");
            AssertSameBits(x.Select(v => v / 2f).ToArray(), outputs[2].Values.ToArray(), $"zip right, n = {n}");
            AssertSameBits(y.Select(v => 2f / v).ToArray(), outputs[3].Values.ToArray(), $"zip left, n = {n}");
            foreach (var output in outputs)
            {
                output.AssertCanariesIntact($"n = {n}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sum_and_mean_of_exactly_representable_values_are_exact_in_any_order(int n)
    {
        // Multiples of 1/64 below 2^10: every partial sum is exact in double, so any grouping gives the true sum.
        var rng = new System.Random(n);
        var x = Enumerable.Range(0, n).Select(_ => rng.Next(-65536, 65536) / 64f).ToArray();
        var exact = x.Sum(v => (double)v);
        Assert.Equal((float)exact, Tensor.From(x).Sum().Item());
        if (n > 0)
        {
            Assert.Equal((float)(exact / n), Tensor.From(x).Mean().Item());
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sum_and_mean_of_random_values_are_within_an_ulp_of_the_double_sum(int n)
    {
        var x = new TestData(n).Normal(n).ToArray();
        var reference = x.Sum(v => (double)v);
        AssertWithinOneUlp([(float)reference], [Tensor.From(x).Sum().Item()], $"sum, n = {n}");
        if (n > 0)
        {
            AssertWithinOneUlp([(float)(reference / n)], [Tensor.From(x).Mean().Item()], $"mean, n = {n}");
        }
    }

    [Fact]
    public void Sum_keeps_double_accuracy_where_a_float_accumulator_loses_everything()
    {
        // 1e8 + 1 is 1e8 in float: a float running sum would end at 0.
        float[] x = [1e8f, .. Enumerable.Repeat(1f, 999), -1e8f];
        Assert.Equal(999f, Tensor.From(x).Sum().Item());
        Assert.Equal(999f, Tensor.From(x).Reshape(1, 1001).Sum(1).Item());
    }

    [Fact]
    public void Sum_gives_the_same_bits_for_any_thread_count()
    {
        var x = Tensor.From(new TestData(3).Normal(200_003).ToArray());
        float Sum(int threads)
        {
            using (ConvPlanOptions.Use(new ConvPlanOptions { MaxDegreeOfParallelism = threads }))
            {
                return x.Sum().Item();
            }
        }

        var one = Sum(1);
        Assert.Equal(BitConverter.SingleToInt32Bits(one), BitConverter.SingleToInt32Bits(Sum(2)));
        Assert.Equal(BitConverter.SingleToInt32Bits(one), BitConverter.SingleToInt32Bits(Sum(7)));
    }

    [Fact]
    public void Sums_over_dimensions_of_strided_views_match_a_double_loop()
    {
        var x = Tensor.From(new TestData(4).Normal(3 * 37 * 5).ToArray(), 3, 37, 5).Permute(2, 0, 1);   // (5, 3, 37), strided
        var values = x.Contiguous().ToArray();
        var sums = x.Sum([0, 2]).ToArray();
        for (var j = 0; j < 3; j++)
        {
            var reference = 0.0;
            for (var i = 0; i < 5; i++)
            {
                for (var k = 0; k < 37; k++)
                {
                    reference += values[(((i * 3) + j) * 37) + k];
                }
            }

            AssertWithinOneUlp([(float)reference], [sums[j]], $"sum over dims (0, 2), column {j}");
        }

        AssertWithinOneUlp([(float)values.Sum(v => (double)v)], [x.Sum().Item()], "sum of the strided view");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Max_and_min_match_the_serial_MathF_loop_with_nan_and_signed_zeros(int n)
    {
        if (n == 0)
        {
            Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(0).Max());
            return;
        }

        var x = new TestData(n).Normal(n).ToArray();
        AssertSameBits([x.Aggregate(MathF.Max)], [Tensor.From(x).Max()], $"max, n = {n}");
        AssertSameBits([x.Aggregate(MathF.Min)], [Tensor.From(x).Min()], $"min, n = {n}");

        // A NaN anywhere, in the vector body or in the tail, wins.
        foreach (var at in new[] { 0, n / 2, n - 1 })
        {
            var withNan = (float[])x.Clone();
            withNan[at] = float.NaN;
            Assert.True(float.IsNaN(Tensor.From(withNan).Max()), $"max, NaN at {at} of {n}");
            Assert.True(float.IsNaN(Tensor.From(withNan).Min()), $"min, NaN at {at} of {n}");
        }

        // +0 is larger than −0, wherever it stands.
        var zeros = Enumerable.Repeat(-0f, n).ToArray();
        zeros[n - 1] = 0f;
        AssertSameBits([0f], [Tensor.From(zeros).Max()], $"max of signed zeros, n = {n}");
        AssertSameBits([n == 1 ? 0f : -0f], [Tensor.From(zeros).Min()], $"min of signed zeros, n = {n}");
    }

    [Fact]
    public void The_vector_path_is_the_one_CI_expects_for_this_environment()
    {
        // CI sets CONVSHARP_TEST_EXPECT_KERNEL=scalar beside DOTNET_EnableHWIntrinsic=0: these tests then ran the scalar loops.
        var expected = Environment.GetEnvironmentVariable("CONVSHARP_TEST_EXPECT_KERNEL");
        if (expected is not null)
        {
            Assert.Equal(!expected.Equals("scalar", StringComparison.OrdinalIgnoreCase), Vector.IsHardwareAccelerated);
        }
    }

    /// <summary>Normal values with the awkward ones mixed in: NaN, ±∞, ±0, a subnormal, huge and tiny magnitudes.</summary>
    private static float[] Values(int n, int seed)
    {
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-40f, -3e38f, 1e-30f, 88.5f, -104f];
        var normal = new TestData(seed).Normal(n).ToArray();
        var rng = new System.Random(seed);
        for (var i = 0; i < n; i++)
        {
            if (rng.Next(8) == 0)
            {
                normal[i] = special[rng.Next(special.Length)];
            }
        }

        return normal;
    }

    private static int[] BroadcastShape(Tensor a, Tensor b)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var (sa, sb) = (a.Shape, b.Shape);
        return [.. Enumerable.Range(0, rank).Select(d =>
        {
            var p = d - (rank - sa.Length) is var i && i >= 0 ? sa[i] : 1;
            var q = d - (rank - sb.Length) is var j && j >= 0 ? sb[j] : 1;
            return Math.Max(p, q);
        })];
    }

    private static string Describe(Tensor t) => $"[{string.Join(", ", t.Shape)}]{(t.IsContiguous ? "" : " strided")}";

    /// <summary>Equal bit patterns, except that any NaN matches any NaN (payloads are not part of the contract).</summary>
    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var same = float.IsNaN(expected[i])
                ? float.IsNaN(actual[i])
                : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    private static void AssertWithinOneUlp(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            var ok = float.IsNaN(e) ? float.IsNaN(a)
                : float.IsInfinity(e) || e == 0f ? BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a)
                : Math.Abs(a - e) <= Math.Max(MathF.BitIncrement(MathF.Abs(e)) - MathF.Abs(e), float.Epsilon);
            Assert.True(ok, $"{what}: element {i} is {a:R}, expected {e:R} within an ulp");
        }
    }
}
