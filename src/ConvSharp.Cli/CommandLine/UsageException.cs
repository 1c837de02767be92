namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// A mistake in the command line itself (an option's value out of range, malformed kernel text,
/// an unknown name): one line on stderr and exit code 2, as getopt and argparse tools do. A
/// problem with an input file or with the run is any other exception, and exit code 1.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
