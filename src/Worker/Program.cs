using System.CommandLine;
using Kiln.Api.JsonRpc;
using Kiln.Proofs;
using Kiln.Stores;
using Kiln.Worker.Cli;

try
{
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
    return await WorkerCli.Build().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
}
catch (Exception e) when (e is ProofsException or StoresException or RpcException or HttpRequestException or InvalidOperationException
    or ArgumentException or FormatException or IOException or UnauthorizedAccessException)
{
    // Bad input, a failed proofs step or an unreachable/refusing peer: one clear line, no stack trace, exit status 1 (as lotus-bench).
    await Console.Error.WriteLineAsync("ERROR: " + e.Message).ConfigureAwait(false);
    return 1;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("ERROR: canceled").ConfigureAwait(false);
    return 130;
}
