using Kiln.Worker.Cli;

return await WorkerCli.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
