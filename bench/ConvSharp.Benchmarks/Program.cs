using System.CommandLine;
using ConvSharp.Benchmarks;

var root = new RootCommand("ConvSharp benchmarks: the suite of bench/suite.json, GEMM figures, and BenchmarkDotNet micro-benchmarks.");
root.Subcommands.Add(Commands.Suite());
root.Subcommands.Add(Commands.Gemm());
root.Subcommands.Add(Commands.Peak());
root.Subcommands.Add(Commands.Micro());
root.Subcommands.Add(Commands.ProbeCommand());
return root.Parse(args).Invoke();
