namespace ConvSharp.Cli.CommandLine;

/// <summary>A mistake in what the user asked for, reported as one line without a stack trace.</summary>
internal sealed class UsageException(string message) : Exception(message);
