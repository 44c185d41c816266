using System.CommandLine;
using Kiln.Api.Auth;
using Kiln.Miner.Cli;
using Kiln.Proofs;

try
{
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
    return await MinerCli.Build().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
}
catch (Exception e) when (e is ProofsException or ArgumentException or FormatException or IOException or UnauthorizedAccessException or AuthVerificationException or InvalidOperationException or TimeoutException or Kiln.Api.JsonRpc.RpcException or HttpRequestException or Kiln.Stores.StoresException or Microsoft.Extensions.Options.OptionsValidationException)
{
    await Console.Error.WriteLineAsync("ERROR: " + e.Message).ConfigureAwait(false);
    return 1;
}
catch (OperationCanceledException)
{
    return 0;
}
