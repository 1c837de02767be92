using System.CommandLine;
using BenchmarkDotNet.Running;
using ConvSharp.Benchmarks.Measure;
using ConvSharp.Benchmarks.Suite;
using ConvSharp.Compute;

namespace ConvSharp.Benchmarks;

internal static class Commands
{
    private static Option<int> ThreadsOption()
    {
        var option = new Option<int>("--threads")
        {
            Description = "threads to use (default: all cores)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1024)
            {
                result.AddError($"--threads must be between 1 and 1024, but got {result.GetValueOrDefault<int>()}");
            }
        });
        return option;
    }

    public static Command Suite()
    {
        var threads = ThreadsOption();
        var cases = new Option<string?>("--cases") { Description = "comma-separated case names (default: all)" };
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures to this JSON file" };
        var suiteFile = new Option<FileInfo?>("--suite") { Description = "the suite file (default: bench/suite.json)" };
        var command = new Command("suite", "Time every case of bench/suite.json, forward and forward + backward (median ms, GFLOP/s, % of peak).")
        {
            threads, cases, json, suiteFile,
        };
        command.SetAction(parse => SuiteRunner.Run(
            parse.GetValue(suiteFile), parse.GetValue(cases), parse.GetValue(threads), parse.GetValue(json)));
        return command;
    }

    public static Command Gemm()
    {
        var threads = ThreadsOption();
        var command = new Command("gemm", "SGEMM GFLOP/s for square and conv-shaped products.") { threads };
        command.SetAction(parse => GemmFigures.Run(parse.GetValue(threads)));
        return command;
    }

    public static Command Peak()
    {
        var threads = ThreadsOption();
        var command = new Command("peak", "The fp32 FMA peak of this machine, measured.") { threads };
        command.SetAction(parse =>
        {
            var t = parse.GetValue(threads);
            Console.WriteLine($"kernel {CpuCaps.Current.Kernel}, {t} threads: peak {PeakFlops.Measure(t, CpuCaps.Current.Kernel) / 1e9:F1} GFLOP/s");
        });
        return command;
    }

    public static Command ProbeCommand()
    {
        var threads = ThreadsOption();
        var name = new Argument<string>("case");
        var command = new Command("probe", "Times every algorithm's forward pass on one suite case, engine only.") { threads, name };
        command.SetAction(parse => Probe.Run(parse.GetValue(name)!, parse.GetValue(threads)));
        return command;
    }

    public static Command Micro()
    {
        var rest = new Argument<string[]>("args") { Description = "BenchmarkDotNet arguments, e.g. --filter *Gemm*", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("micro", "BenchmarkDotNet micro-benchmarks of the GEMM and each algorithm.") { rest };
        command.SetAction(parse => BenchmarkSwitcher.FromAssembly(typeof(Commands).Assembly).Run(parse.GetValue(rest) ?? []));
        return command;
    }
}
