using Kiln.Api;

namespace Kiln.Worker.Tests.Contract;

/// <summary>
/// The worker-API contract over the wire: the same <see cref="Rpc.WorkerApi"/> behind a <see cref="WorkerRpcEndpoint"/>,
/// called as kiln-miner calls a worker.
/// </summary>
public sealed class WireWorkerApiContractTests : WorkerApiContract
{
    private WorkerRpcEndpoint? _endpoint;

    protected override async Task<IWorkerApi> ConnectAsync(WorkerStack stack)
    {
        _endpoint = await WorkerRpcEndpoint.StartAsync(stack.Api);
        return _endpoint.Worker;
    }

    protected override async ValueTask DisconnectAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
        }
    }
}
