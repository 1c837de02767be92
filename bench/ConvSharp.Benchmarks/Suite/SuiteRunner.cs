using System.Text.Json;
using ConvSharp.Benchmarks.Measure;
using ConvSharp.Compute;
using ConvSharp.Convolution;
using Spectre.Console;
using F = ConvSharp.Functional;

namespace ConvSharp.Benchmarks.Suite;

/// <summary>
/// Times every case of the suite through the public API (F.Conv2d, Backward), as a user would
/// call it: forward without autograd, then forward + backward (input, weight and bias
/// gradients). Medians of 15 samples after warm-up; GFLOP/s counts backward as twice the forward.
/// </summary>
internal static class SuiteRunner
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(FileInfo? suite, string? caseNames, int threads, FileInfo? json)
    {
        var all = SuiteCase.Load(suite);
        var selected = caseNames is null ? all : [.. all.Where(c => caseNames.Split(',', StringSplitOptions.TrimEntries).Contains(c.Name))];
        if (selected.Count == 0)
        {
            Console.Error.WriteLine($"no case matches '{caseNames}'; the suite has {string.Join(", ", all.Select(c => c.Name))}");
            return 2;
        }

        using var scope = ConvPlanOptions.Use(ConvPlanOptions.FromEnvironment with { MaxDegreeOfParallelism = threads });
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 160;
        }

        // The peak is measured after the cases: right after two cores spin on FMAs for a while,
        // small calls on this (virtual) machine run several times slower for a few seconds.
        AnsiConsole.MarkupLine($"[bold]ConvSharp suite[/]: {Environment.ProcessorCount} cores, {CpuCaps.Current.Kernel}, .NET {Environment.Version}, {threads} threads");
        var results = new List<Dictionary<string, object>>();
        var table = new Table().AddColumns("case", "algorithms (fwd / dX / dW)", "fwd", "GFLOP/s", "% peak", "fwd+bwd", "GFLOP/s", "% peak");
        foreach (var c in selected)
        {
            results.Add(Measure(c));
            AnsiConsole.MarkupLine($"  {Markup.Escape(c.Name)}: forward {Format((double)results[^1]["fwd_ms"])}, forward + backward {Format((double)results[^1]["fwdbwd_ms"])}");
        }

        var peak = PeakFlops.Measure(threads, CpuCaps.Current.Kernel);
        var machine = $"{Environment.ProcessorCount} cores, {CpuCaps.Current.Kernel}, .NET {Environment.Version}, {threads} threads, measured peak {peak / 1e9:F0} GFLOP/s";
        foreach (var (c, result) in selected.Zip(results))
        {
            result["fwd_peak_percent"] = 100 * (double)result["fwd_gflops"] * 1e9 / peak;
            result["fwdbwd_peak_percent"] = 100 * (double)result["fwdbwd_gflops"] * 1e9 / peak;
            table.AddRow(
                c.Name, (string)result["algorithms"], Format((double)result["fwd_ms"]), $"{result["fwd_gflops"]:F1}", $"{result["fwd_peak_percent"]:F1}",
                Format((double)result["fwdbwd_ms"]), $"{result["fwdbwd_gflops"]:F1}", $"{result["fwdbwd_peak_percent"]:F1}");
        }

        AnsiConsole.MarkupLine($"measured peak {peak / 1e9:F0} GFLOP/s");

        AnsiConsole.Write(table);
        if (json is not null)
        {
            var document = new Dictionary<string, object>
            {
                ["library"] = "ConvSharp",
                ["machine"] = machine,
                ["threads"] = threads,
                ["peak_gflops"] = peak / 1e9,
                ["cases"] = results,
            };
            File.WriteAllText(json.FullName, JsonSerializer.Serialize(document, Indented));
            Console.WriteLine($"wrote {json.FullName}");
        }

        return 0;
    }

    private static Dictionary<string, object> Measure(SuiteCase c)
    {
        Rng.ManualSeed(1);
        var x = Tensor.Randn(c.N, c.C, c.H, c.W);
        var w = Tensor.Randn(c.OC, c.C / c.Groups, c.KH, c.KW);
        var b = Tensor.Randn(c.OC);
        var forwardMs = Timing.Median(() => F.Conv2d(x, w, b, c.Stride, c.Padding, c.Dilation, c.Groups));

        var (xg, wg, bg) = (x.Detach(), w.Detach(), b.Detach());
        xg.RequiresGrad = wg.RequiresGrad = bg.RequiresGrad = true;
        var upstream = Tensor.Randn(c.N, c.OC, c.OH, c.OW);
        var backwardMs = Timing.Median(() =>
        {
            var y = F.Conv2d(xg, wg, bg, c.Stride, c.Padding, c.Dilation, c.Groups);
            y.Backward(upstream);
            xg.Grad = wg.Grad = bg.Grad = null;
        });

        var g = ConvGeometries.Conv2d([c.N, c.C, c.H, c.W], [c.OC, c.C / c.Groups, c.KH, c.KW], [c.OC], c.Stride, c.Padding, c.Dilation, c.Groups);
        var options = ConvPlanOptions.Current;
        var algorithms = string.Join(" / ", new[] { ConvDirection.Forward, ConvDirection.BackwardInput, ConvDirection.BackwardWeight }
            .Select(d => ConvPlanner.Plan(g, d, CpuCaps.Current, options).Algorithm));
        var forwardGflops = c.ForwardFlops / (forwardMs * 1e6);
        var backwardGflops = 3 * c.ForwardFlops / (backwardMs * 1e6);
        return new Dictionary<string, object>
        {
            ["name"] = c.Name,
            ["algorithms"] = algorithms,
            ["fwd_ms"] = forwardMs,
            ["fwdbwd_ms"] = backwardMs,
            ["fwd_gflops"] = forwardGflops,
            ["fwdbwd_gflops"] = backwardGflops,
        };
    }

    private static string Format(double ms) => ms < 0.01 ? $"{ms * 1000:F2} µs" : ms < 1 ? $"{ms:F3} ms" : $"{ms:F2} ms";
}
