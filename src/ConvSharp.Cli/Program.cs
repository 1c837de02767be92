using ConvSharp.Cli;

return CliApp.Run(args);
