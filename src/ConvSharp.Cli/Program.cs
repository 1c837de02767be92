using System.Runtime.InteropServices;
using ConvSharp.Cli;
using ConvSharp.Interop;

// Ctrl-C or SIGTERM ends the process without unwinding: the files being written are removed
// first, rather than left for the next run in that folder to clear.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => AtomicFile.RemoveUnfinished());
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => AtomicFile.RemoveUnfinished());
return CliApp.Run(args);
