using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Kiln.Miner.Hosting;

/// <summary>
/// Starts the <see cref="KilnMiner"/> after the server has started (its bound address is then known, also for port 0)
/// and stops the miner's loops, pipeline and proving before the server stops.
/// </summary>
internal sealed class KilnMinerLifecycle(KilnMiner miner, IServer server) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) =>
        miner.IsOpen ? miner.StartAsync(Bound(server), cancellationToken) : throw new InvalidOperationException("AddKilnMiner registered the miner but MapKilnMinerAsync was not called before the application started");

    public Task StoppingAsync(CancellationToken cancellationToken) => miner.StopAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The first address the server bound (Kestrel reports the real port when asked for port 0).</summary>
    private static Uri Bound(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.FirstOrDefault() is { } first ? new Uri(first) : KilnMiner.InProcessOrigin;
    }
}
