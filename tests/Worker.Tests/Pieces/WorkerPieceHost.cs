using System.Net;
using System.Reflection;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Proofs.Sdr;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Worker.Calls;
using Kiln.Worker.Rpc;
using Kiln.Worker.Run;
using Kiln.Worker.Sealing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests.Pieces;

/// <summary>
/// kiln-worker's RPC API on a loopback Kestrel port over one sealing path, called as kiln-miner calls it (the
/// typed client, pieces pushed as reader params); results come back to a <see cref="RecordingMiner"/>.
/// </summary>
public sealed class WorkerPieceHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CallTracker _tracker;
    private readonly RpcClient _client;

    private WorkerPieceHost(string dir, WebApplication app, CallTracker tracker, WorkerApi api, RecordingMiner miner, MemSectorIndex index, string root)
    {
        Dir = dir;
        _app = app;
        _tracker = tracker;
        Api = api;
        Miner = miner;
        Index = index;
        Root = root;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = RpcClient.Create(new Uri(new Uri(address), "/rpc/v0"));
        Worker = _client.CreateProxy<IWorkerApi>();
    }

    public string Dir { get; }

    public WorkerApi Api { get; }

    public RecordingMiner Miner { get; }

    public MemSectorIndex Index { get; }

    /// <summary>The sealing path's root.</summary>
    public string Root { get; }

    /// <summary>The worker as the miner calls it, over JSON-RPC.</summary>
    public IWorkerApi Worker { get; }

    public static async Task<WorkerPieceHost> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kiln-pieces-" + Guid.NewGuid().ToString("N"));
        var root = Path.Combine(dir, "store");
        var index = new MemSectorIndex();
        var store = new LocalStore(index, new LocalStoreOptions { Urls = ["http://worker.test/remote"] });
        await store.AttachAsync(root, init: true, canSeal: true, canStore: true, ct: CancellationToken.None);
        var tracker = await CallTracker.OpenAsync(Path.Combine(dir, "calls.db"), CancellationToken.None);
        var miner = DispatchProxy.Create<IMinerStorageApi, RecordingMiner>();
        var recording = (RecordingMiner)(object)miner;
        var returns = new ReturnSender(miner, tracker, TimeSpan.FromMilliseconds(50), TimeProvider.System, NullLogger.Instance);
        var tasks = new SealingTasks(store, new ParentCacheOptions { Directory = Path.Combine(dir, "parents") }, NullLogger.Instance);
        var options = new WorkerOptions { RepoPath = dir };
        var api = new WorkerApi(options, store, tasks, new CallRunner(tracker, returns, "pieces", NullLogger.Instance), _ => null, NullLogger.Instance);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapLotusRpc("/rpc/v0", RpcServer.Create<IWorkerApi>(api));
        await app.StartAsync();
        return new WorkerPieceHost(dir, app, tracker, api, recording, index, root);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Api.DisposeAsync();
        await _tracker.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
