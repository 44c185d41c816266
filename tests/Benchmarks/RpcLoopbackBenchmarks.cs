using BenchmarkDotNet.Attributes;
using Kiln.Api.JsonRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Benchmarks;

/// <summary>
/// Small JSON-RPC calls over HTTP on loopback: Kestrel serving <c>/rpc/v0</c>, the typed client proxy
/// calling <c>Filecoin.Add</c> — one call at a time, and 64 in flight (throughput).
/// </summary>
[MemoryDiagnoser]
public class RpcLoopbackBenchmarks
{
    private WebApplication _app = null!;
    private RpcBenchmarks.IBenchApi _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapLotusRpc("/rpc/v0", RpcServer.Create<RpcBenchmarks.IBenchApi>(new Adder()));
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = RpcClient.Create(new Uri(address + "/rpc/v0")).CreateProxy<RpcBenchmarks.IBenchApi>();
    }

    [GlobalCleanup]
    public void Cleanup() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public Task<int> OneCall() => _client.AddAsync(40, 2, CancellationToken.None);

    [Benchmark(OperationsPerInvoke = 64)]
    public Task SixtyFourInFlight() => Task.WhenAll(Enumerable.Range(0, 64).Select(i => _client.AddAsync(i, 1, CancellationToken.None)));

    private sealed class Adder : RpcBenchmarks.IBenchApi
    {
        public Task<int> AddAsync(int a, int b, CancellationToken cancellationToken) => Task.FromResult(a + b);

        public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
