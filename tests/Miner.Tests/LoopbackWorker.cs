using Kiln.Api;
using Kiln.Api.JsonRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Miner.Tests;

/// <summary>A stand-in worker: <see cref="IWorkerApi"/> served as the worker JSON-RPC on a loopback Kestrel port.</summary>
public sealed class LoopbackWorker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackWorker(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The URL a miner's WorkerConnect takes, http://127.0.0.1:port/rpc/v0.</summary>
    public string Url { get; }

    public static async Task<LoopbackWorker> ServeAsync(IWorkerApi api)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapLotusRpc("/rpc/v0", RpcServer.Create(api));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackWorker(app, address + "/rpc/v0");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
