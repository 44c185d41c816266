using Kiln.Api;

namespace Kiln.Worker.Tests.Contract;

/// <summary>The worker-API contract against the <see cref="Rpc.WorkerApi"/> object itself, as the worker's own code calls it.</summary>
public sealed class LocalWorkerApiContractTests : WorkerApiContract
{
    protected override Task<IWorkerApi> ConnectAsync(WorkerStack stack) => Task.FromResult<IWorkerApi>(stack.Api);
}
