using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Metrics;
using Kiln.Stores.Remote;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Kiln.Worker.Run;

/// <summary>
/// Composes kiln-worker into an ASP.NET Core host: <see cref="AddKilnWorker"/> registers the worker built from
/// validated <see cref="WorkerOptions"/>, <see cref="MapKilnWorker"/> serves its endpoints.
/// </summary>
public static class KilnWorkerExtensions
{
    /// <summary>
    /// Registers <see cref="KilnWorker"/> and its <see cref="WorkerOptions"/>, checked by
    /// <see cref="WorkerOptionsValidator"/> when first read and when the host starts. The miner's API is a JSON-RPC
    /// client to each of <see cref="KilnWorkerConnection.Miners"/> (see <see cref="MinerFailover"/>) unless an
    /// <see cref="IMinerStorageApi"/> (then the only miner) or a <see cref="MinerFailover"/> is registered first; the clock is <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is.
    /// </summary>
    public static IServiceCollection AddKilnWorker(this IServiceCollection services, KilnWorkerConnection connection, Action<WorkerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<WorkerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(connection);
        // A registered IMinerStorageApi (tests) is the only miner; otherwise one JSON-RPC client per address in the list.
        services.TryAddSingleton(sp => sp.GetService<IMinerStorageApi>() is { } given
            ? new MinerFailover([connection.Miner], [given])
            : new MinerFailover(connection.Miners, [.. connection.Miners.Select(m => RpcClient.Create(m.HttpUrl(), new RpcClientOptions { Token = m.Token }).CreateProxy<IMinerStorageApi>())]));
        services.AddSingleton<KilnWorker>();
        return services;
    }

    /// <summary>
    /// Serves a prepared <see cref="KilnWorker"/> (<see cref="KilnWorker.PrepareAsync"/> done): the worker API on
    /// <c>/rpc/v0</c> (tokens checked by the miner's AuthVerify), its storage on <c>/remote</c> (admin only) and
    /// <c>/debug/metrics</c>.
    /// </summary>
    public static KilnWorker MapKilnWorker(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var worker = app.Services.GetRequiredService<KilnWorker>();
        if (worker.Api is null)
        {
            throw new InvalidOperationException("MapKilnWorker needs a prepared worker: await KilnWorker.PrepareAsync first");
        }

        app.UseWebSockets();
        app.MapLotusRpc("/rpc/v0", RpcServer.Create<IWorkerApi>(worker.Api), worker.Authenticator);
        app.MapRemoteStore(worker.Store, worker.Index, KilnWorker.AdminOnly(worker.Authenticator));
        app.MapDebugMetrics(worker.Exporter);
        return worker;
    }
}
