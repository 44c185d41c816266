using System.CommandLine;
using Kiln.Proofs;
using Kiln.Worker.Cli;

try
{
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
    return await WorkerCli.Build().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
}
catch (Exception e) when (e is ProofsException or ArgumentException or FormatException or IOException or UnauthorizedAccessException)
{
    // Bad input or a failed proofs step: one clear line, no stack trace, exit status 1 (as lotus-bench).
    await Console.Error.WriteLineAsync("ERROR: " + e.Message).ConfigureAwait(false);
    return 1;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("ERROR: canceled").ConfigureAwait(false);
    return 130;
}
