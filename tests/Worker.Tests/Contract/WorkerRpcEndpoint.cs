using System.Net;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Worker.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Worker.Tests.Contract;

/// <summary>
/// A <see cref="WorkerApi"/> served on <c>/rpc/v0</c> by loopback Kestrel (port 0, the bound address read back) and the
/// worker as kiln-miner calls it: Kiln.Api's JSON-RPC client proxy, pieces pushed as reader params.
/// </summary>
public sealed class WorkerRpcEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RpcClient _client;

    private WorkerRpcEndpoint(WebApplication app, RpcClient client)
    {
        _app = app;
        _client = client;
        Worker = client.CreateProxy<IWorkerApi>();
    }

    /// <summary>The worker over the wire.</summary>
    public IWorkerApi Worker { get; }

    public static async Task<WorkerRpcEndpoint> StartAsync(WorkerApi api)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapLotusRpc("/rpc/v0", RpcServer.Create<IWorkerApi>(api));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new WorkerRpcEndpoint(app, RpcClient.Create(new Uri(new Uri(address), "/rpc/v0")));
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
