using Kiln.Api;
using Kiln.Stores.Index;
using Kiln.Worker.Rpc;
using Kiln.Worker.Tests.Contract;

namespace Kiln.Worker.Tests.Pieces;

/// <summary>
/// kiln-worker's RPC API on a loopback Kestrel port over one sealing path (a <see cref="WorkerStack"/> behind a
/// <see cref="WorkerRpcEndpoint"/>), called as kiln-miner calls it; results come back to a <see cref="RecordingMiner"/>
/// and a refused one is sent again after 50 ms.
/// </summary>
public sealed class WorkerPieceHost : IAsyncDisposable
{
    private readonly WorkerStack _stack;
    private readonly WorkerRpcEndpoint _endpoint;

    private WorkerPieceHost(WorkerStack stack, WorkerRpcEndpoint endpoint)
    {
        _stack = stack;
        _endpoint = endpoint;
    }

    public string Dir => _stack.Dir;

    public WorkerApi Api => _stack.Api;

    public RecordingMiner Miner => _stack.Miner;

    public MemSectorIndex Index => _stack.Index;

    /// <summary>The sealing path's root.</summary>
    public string Root => _stack.Root;

    /// <summary>The worker as the miner calls it, over JSON-RPC.</summary>
    public IWorkerApi Worker => _endpoint.Worker;

    public static async Task<WorkerPieceHost> StartAsync()
    {
        var stack = await WorkerStack.StartAsync(TimeSpan.FromMilliseconds(50));
        return new WorkerPieceHost(stack, await WorkerRpcEndpoint.StartAsync(stack.Api));
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        await _stack.DisposeAsync();
    }
}
