using BenchmarkDotNet.Attributes;
using ConvSharp.Benchmarks.Suite;
using ConvSharp.Compute;
using ConvSharp.Convolution;

namespace ConvSharp.Benchmarks.Micro;

/// <summary>
/// Every algorithm that can run a suite case, forward, straight through the engine (run:
/// micro --filter *ConvAlgorithm*). Cases an algorithm cannot run are skipped.
/// </summary>
[MemoryDiagnoser]
public class ConvAlgorithmBenchmarks
{
    private ConvGeometry _geometry;
    private float[] _input = [];
    private float[] _weight = [];
    private float[] _output = [];

    public static IEnumerable<string> Cases() => ["img-3x3", "lenet-c1", "resnet-3x3", "pointwise", "stem-7x7s2"];

    public static IEnumerable<ConvAlgorithm> Algorithms() =>
        Enum.GetValues<ConvAlgorithm>().Where(a => a is not (ConvAlgorithm.Auto or ConvAlgorithm.Reference));

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "resnet-3x3";

    [ParamsSource(nameof(Algorithms))]
    public ConvAlgorithm Algorithm { get; set; } = ConvAlgorithm.ImplicitGemm;

    [GlobalSetup]
    public void Setup()
    {
        var c = SuiteCase.Load(null).Single(s => s.Name == Case);
        _geometry = ConvGeometries.Conv2d([c.N, c.C, c.H, c.W], [c.OC, c.C / c.Groups, c.KH, c.KW], null, c.Stride, c.Padding, c.Dilation, c.Groups);
        var random = new System.Random(1);
        _input = [.. Enumerable.Range(0, c.N * c.C * c.H * c.W).Select(_ => (float)random.NextDouble())];
        _weight = [.. Enumerable.Range(0, c.OC * (c.C / c.Groups) * c.KH * c.KW).Select(_ => (float)random.NextDouble())];
        _output = new float[_geometry.N * _geometry.OC * _geometry.OH * _geometry.OW];
    }

    [Benchmark]
    public void Forward()
    {
        if (ConvPlanner.CanRun(Algorithm, _geometry, ConvDirection.Forward, out _))
        {
            ConvEngine.Forward(_geometry, new ConvPlan(Algorithm, CpuCaps.Current.Kernel, Environment.ProcessorCount), _input, _weight, default, _output);
        }
    }
}
