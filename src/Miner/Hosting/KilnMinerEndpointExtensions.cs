using Kiln.Api;

namespace Kiln.Miner.Hosting;

/// <summary>Opens the miner registered by <see cref="KilnMinerServiceCollectionExtensions.AddKilnMiner"/> and maps its endpoints.</summary>
public static class KilnMinerEndpointExtensions
{
    /// <summary>
    /// Validates the options, opens the miner's databases and components, and maps <c>/rpc/v0</c> (Lotus JSON-RPC over
    /// HTTP and WebSocket), <c>/remote</c>, <c>/debug/metrics</c> and the dashboard on <paramref name="app"/>. Call it
    /// before the application starts; the miner's loops start once the server has bound.
    /// <paramref name="connectWorker"/> makes a worker's API client from its URL and the miner's admin token (default:
    /// JSON-RPC over HTTP; a test passes in-process workers).
    /// </summary>
    public static async Task<KilnMiner> MapKilnMinerAsync(this WebApplication app, Func<string, string, IWorkerApi>? connectWorker = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var miner = app.Services.GetRequiredService<KilnMiner>();
        await miner.OpenAsync(connectWorker, cancellationToken).ConfigureAwait(false);
        app.UseWebSockets();
        miner.Map(app);
        return miner;
    }
}
