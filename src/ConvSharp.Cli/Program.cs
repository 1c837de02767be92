using System.CommandLine;
using ConvSharp.Cli.Commands;

var root = new RootCommand("ConvSharp: 2D convolution in pure C#, after Dive into Deep Learning's \"Convolutions for Images\".");
root.Subcommands.Add(TourCommand.Create());
return root.Parse(args).Invoke();
