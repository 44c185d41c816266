using System.Net;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Worker.Tests.Contract;

/// <summary>
/// The worker-API contract over the wire: the same <see cref="Rpc.WorkerApi"/> served on <c>/rpc/v0</c> by loopback
/// Kestrel (port 0, the bound address read back) and called through Kiln.Api's JSON-RPC client proxy, as kiln-miner
/// calls a worker (pieces pushed as reader params).
/// </summary>
public sealed class WireWorkerApiContractTests : WorkerApiContract
{
    private WebApplication? _app;
    private RpcClient? _client;

    protected override async Task<IWorkerApi> ConnectAsync(WorkerStack stack)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapLotusRpc("/rpc/v0", RpcServer.Create<IWorkerApi>(stack.Api));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = RpcClient.Create(new Uri(new Uri(address), "/rpc/v0"));
        return _client.CreateProxy<IWorkerApi>();
    }

    protected override async ValueTask DisconnectAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
