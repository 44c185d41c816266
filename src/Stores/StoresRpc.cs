using Kiln.Api.JsonRpc;

namespace Kiln.Stores;

/// <summary>How the miner's and the worker's storage methods answer a storage failure over JSON-RPC: an application error with its message.</summary>
public static class StoresRpc
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (StoresException e)
        {
            throw new RpcException(RpcErrorCodes.Application, e.Message);
        }
    }

    public static Task RunAsync(Func<Task> action) => RunAsync(async () =>
    {
        await action().ConfigureAwait(false);
        return true;
    });
}
