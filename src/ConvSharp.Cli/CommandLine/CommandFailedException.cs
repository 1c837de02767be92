namespace ConvSharp.Cli.CommandLine;

/// <summary>
/// A run that cannot go on for a reason in its inputs rather than in the command line (a kernel
/// larger than the image, a target of the wrong size, a loss that diverged): one line on
/// stderr and exit code 1.
/// </summary>
internal sealed class CommandFailedException(string message) : Exception(message);
