using System.Collections.Concurrent;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Miner;
using Kiln.Miner.Hosting;
using Kiln.Miner.Repo;
using Kiln.Miner.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Testing;

/// <summary>
/// The real miner (<see cref="KilnMinerServiceCollectionExtensions.AddKilnMiner"/>) inside an in-memory
/// <see cref="TestServer"/>: its JSON-RPC endpoint is reached through <see cref="Client"/>, and in-process workers are
/// attached by URL with <see cref="AttachAsync"/> (the miner connects to them as it would over the wire).
/// </summary>
public sealed class TestMiner : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, IWorkerApi> _workers;
    private readonly List<RpcClient> _clients = [];

    private TestMiner(WebApplication app, KilnMiner miner, ConcurrentDictionary<string, IWorkerApi> workers)
    {
        _app = app;
        Miner = miner;
        _workers = workers;
    }

    public KilnMiner Miner { get; }

    public TestServer Server => _app.GetTestServer();

    /// <summary>
    /// Starts a miner with its repo in <paramref name="repoDirectory"/>, options set by <paramref name="configure"/>,
    /// on <paramref name="time"/> (default the system clock).
    /// </summary>
    public static async Task<TestMiner> StartAsync(string repoDirectory, Action<MinerOptions>? configure = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddKilnMiner(MinerRepo.Open(repoDirectory), configure);
        var app = builder.Build();
        var workers = new ConcurrentDictionary<string, IWorkerApi>();
        try
        {
            var miner = await app.MapKilnMinerAsync((url, _) => workers.TryGetValue(url, out var w) ? w : throw new HttpRequestException($"no in-process worker at {url}"), ct);
            await app.StartAsync(ct);
            return new TestMiner(app, miner, workers);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The miner's API over JSON-RPC through the test server, with the repo's full-permission token.</summary>
    public IMinerStorageApi Client()
    {
        var client = RpcClient.Create(new Uri(Server.BaseAddress, "/rpc/v0"), new RpcClientOptions { Token = Miner.Repo.ReadToken(), HttpClient = Server.CreateClient() });
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client.CreateProxy<IMinerStorageApi>();
    }

    /// <summary>Makes <paramref name="worker"/> reachable at <c>http://<paramref name="name"/>/rpc/v0</c> and has the miner connect to it (WorkerConnect).</summary>
    public Task<WorkerHandle> AttachAsync(string name, IWorkerApi worker, CancellationToken ct = default)
    {
        var url = $"http://{name}/rpc/v0";
        _workers[url] = worker;
        return Miner.Workers.ConnectAsync(url, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }
}
