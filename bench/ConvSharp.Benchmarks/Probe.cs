using ConvSharp.Benchmarks.Measure;
using ConvSharp.Compute;
using ConvSharp.Convolution;

namespace ConvSharp.Benchmarks;

internal static class Probe
{
    public static void Run(string name, int threads)
    {
        var c = Suite.SuiteCase.Load(null).Single(s => s.Name == name);
        var g = ConvGeometries.Conv2d([c.N, c.C, c.H, c.W], [c.OC, c.C / c.Groups, c.KH, c.KW], [c.OC], c.Stride, c.Padding, c.Dilation, c.Groups);
        var x = new float[c.N * c.C * c.H * c.W];
        var w = new float[c.OC * (c.C / c.Groups) * c.KH * c.KW];
        var b = new float[c.OC];
        var y = new float[g.N * g.OC * g.OH * g.OW];
        var rnd = new System.Random(1);
        for (var i = 0; i < x.Length; i++) x[i] = (float)rnd.NextDouble();
        for (var i = 0; i < w.Length; i++) w[i] = (float)rnd.NextDouble();
        foreach (var algorithm in Enum.GetValues<ConvAlgorithm>().Where(a => a is not (ConvAlgorithm.Auto or ConvAlgorithm.Reference)))
        {
            if (!ConvPlanner.CanRun(algorithm, g, ConvDirection.Forward, out _)) continue;
            var plan = new ConvPlan(algorithm, CpuCaps.Current.Kernel, threads);
            var ms = Timing.Median(() => ConvEngine.Forward(g, plan, x, w, b, y));
            Console.WriteLine($"{name} {algorithm}: engine forward {ms:F3} ms, {c.ForwardFlops / ms / 1e6:F1} GFLOP/s");
        }

        var dy = new float[y.Length];
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        for (var i = 0; i < dy.Length; i++) dy[i] = (float)rnd.NextDouble();
        foreach (var algorithm in Enum.GetValues<ConvAlgorithm>().Where(a => a is not (ConvAlgorithm.Auto or ConvAlgorithm.Reference)))
        {
            var plan = new ConvPlan(algorithm, CpuCaps.Current.Kernel, threads);
            if (ConvPlanner.CanRun(algorithm, g, ConvDirection.BackwardInput, out _))
            {
                var ms = Timing.Median(() => ConvEngine.BackwardInput(g, plan, dy, w, dx));
                Console.WriteLine($"{name} {algorithm}: backward input {ms:F3} ms, {c.ForwardFlops / ms / 1e6:F1} GFLOP/s");
            }

            if (ConvPlanner.CanRun(algorithm, g, ConvDirection.BackwardWeight, out _))
            {
                var ms = Timing.Median(() => ConvEngine.BackwardWeight(g, plan, dy, x, dw));
                Console.WriteLine($"{name} {algorithm}: backward weight {ms:F3} ms, {c.ForwardFlops / ms / 1e6:F1} GFLOP/s");
            }
        }

        var xt = Tensor.FromArray(x, c.N, c.C, c.H, c.W);
        var wt = Tensor.FromArray(w, c.OC, c.C / c.Groups, c.KH, c.KW);
        var bt = Tensor.FromArray(b, c.OC);
        var api = Timing.Median(() => Functional.Conv2d(xt, wt, bt, c.Stride, c.Padding, c.Dilation, c.Groups));
        Console.WriteLine($"{name} F.Conv2d (planned, with autograd bookkeeping): {api:F3} ms, {c.ForwardFlops / api / 1e6:F1} GFLOP/s");
    }
}
