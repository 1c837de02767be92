using BenchmarkDotNet.Attributes;
using ConvSharp.Ops;

namespace ConvSharp.Benchmarks.Micro;

/// <summary>
/// Element-wise add, sum and exp over 1M floats (run: micro --filter *Elementwise*): the scalar loops
/// these ops ran before they were vectorised (<c>*Scalar</c>), the vector loops on one thread
/// (<c>*Vector</c>), and the public tensor ops, which add threads above 64K elements and
/// allocate their result.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ElementwiseBenchmarks
{
    private const int Length = 1 << 20;
    private readonly float[] _a = new float[Length];
    private readonly float[] _b = new float[Length];
    private readonly float[] _result = new float[Length];
    private Tensor _ta = Tensor.Scalar(0);
    private Tensor _tb = Tensor.Scalar(0);

    [GlobalSetup]
    public void Setup()
    {
        var random = new System.Random(1);
        for (var i = 0; i < Length; i++)
        {
            _a[i] = (float)random.NextDouble();
            _b[i] = (float)random.NextDouble();
        }

        (_ta, _tb) = (Tensor.Wrap(_a), Tensor.Wrap(_b));
    }

    [Benchmark(Baseline = true)]
    public void AddScalar()
    {
        for (var i = 0; i < _result.Length; i++)
        {
            _result[i] = _a[i] + _b[i];
        }
    }

    [Benchmark]
    public void AddVector() => ElementwiseLoops.Zip(_a, _b, _result, new AddOperator());

    [Benchmark]
    public Tensor AddTensor() => _ta + _tb;

    [Benchmark]
    public double SumScalar()
    {
        var total = 0.0;
        foreach (var v in _a)
        {
            total += v;
        }

        return total;
    }

    [Benchmark]
    public double SumVector() => Summation.Chunk(_a);

    [Benchmark]
    public float SumTensor() => _ta.Sum().Item();

    [Benchmark]
    public void ExpScalar()
    {
        for (var i = 0; i < _result.Length; i++)
        {
            _result[i] = MathF.Exp(_a[i]);
        }
    }

    [Benchmark]
    public void ExpVector() => ElementwiseLoops.Map(_a, _result, new ExpOperator());

    [Benchmark]
    public Tensor ExpTensor() => _ta.Exp();
}
