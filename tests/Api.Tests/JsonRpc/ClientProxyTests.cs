using System.Security.Cryptography;
using Kiln.Api.JsonRpc;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>The typed proxy against the real server, over HTTP and over WebSocket (one contract, two transports).</summary>
public sealed class ClientProxyTests : IAsyncLifetime
{
    private RpcTestHost _host = null!;

    public async Task InitializeAsync() => _host = await RpcTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> Transports => new() { "http", "ws" };

    private RpcClient Client(string transport) => _host.CreateClient(transport == "ws" ? RpcTestHost.WsEndpoint : RpcTestHost.HttpEndpoint);

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Proxy_round_trips_tasks_values_and_bytes(string transport)
    {
        await using var client = Client(transport);
        var api = client.CreateProxy<ITestApi>();
        Assert.Equal(5, await api.AddAsync(2, 3));
        Assert.Equal(TestApi.SessionId, await api.SessionAsync());
        await api.WorkerConnectAsync("http://1.2.3.4:3456/rpc/v0");
        Assert.Equal("http://1.2.3.4:3456/rpc/v0", _host.Api.LastUrl);
        var bytes = RandomNumberGenerator.GetBytes(1000);
        Assert.Equal(bytes, await api.EchoBytesAsync(bytes));
        Assert.Null(await api.EchoBytesAsync(null!));
        Assert.Equal(84L, await api.LongAsync(42));

        var simple = client.CreateProxy<ISimpleServerHandler>();
        await simple.IncAsync();
        await simple.AddAsync(4);
        Assert.Equal(5, _host.Simple.N);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Errors_arrive_as_rpc_exceptions(string transport)
    {
        await using var client = Client(transport);
        var api = client.CreateProxy<ITestApi>();
        var ex = await Assert.ThrowsAsync<RpcException>(() => api.FailAsync("acquiring sector lock: nope"));
        Assert.Equal((1, "acquiring sector lock: nope"), (ex.Code, ex.Message));
        ex = await Assert.ThrowsAsync<RpcException>(() => api.FailWithCodeAsync(4, "this happened"));
        Assert.Equal(4, ex.Code);
        Assert.Equal("some event", ex.Meta!.Value.GetString());
        ex = await Assert.ThrowsAsync<RpcException>(() => client.InvokeAsync<int>("Filecoin.Add", [1], CancellationToken.None));
        Assert.Equal(RpcErrorCodes.InvalidParams, ex.Code);
        ex = await Assert.ThrowsAsync<RpcException>(() => client.InvokeAsync("Filecoin.Missing", [], CancellationToken.None));
        Assert.Equal("method 'Filecoin.Missing' not found", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Stream_param_is_pushed(string transport)
    {
        await using var client = Client(transport);
        var api = client.CreateProxy<ITestApi>();
        var data = RandomNumberGenerator.GetBytes(3 << 20);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), await api.DigestAsync(new MemoryStream(data)));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(new byte[2032])), await api.DigestAsync(new NullReaderStream(2032)));
        Assert.True(await api.IgnoreReaderAsync(new MemoryStream(data)));
        // The server closes a call's readers before it answers: nothing is left pending once the calls returned.
        Assert.Equal(0, _host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task Invoke_by_name_sends_params_as_an_array()
    {
        await using var client = Client("http");
        Assert.Equal(7, await client.InvokeAsync<int>("Filecoin.Add", [3, 4], CancellationToken.None));
        await client.InvokeAsync("SimpleServerHandler.Inc", [], CancellationToken.None);
        Assert.Equal(1, _host.Simple.N);
    }

    [Fact]
    public async Task Channel_method_streams_over_websocket_and_is_refused_over_http()
    {
        await using var ws = Client("ws");
        var values = new List<int>();
        await foreach (var v in ws.CreateProxy<ITestApi>().CountAsync(5, 0))
        {
            values.Add(v);
        }

        Assert.Equal([1, 2, 3, 4, 5], values);

        await using var http = Client("http");
        await Assert.ThrowsAsync<NotSupportedException>(async () =>
        {
            await foreach (var v in http.CreateProxy<ITestApi>().CountAsync(1, 0))
            {
                Assert.Fail("no values over HTTP");
            }
        });
    }

    [Fact]
    public async Task Leaving_a_channel_early_cancels_it_on_the_server()
    {
        await using var ws = Client("ws");
        await foreach (var v in ws.CreateProxy<ITestApi>().CountAsync(1000000, 10))
        {
            if (v == 2)
            {
                break;
            }
        }

        Assert.True(await _host.Api.CountCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Cancellation_token_sends_xrpc_cancel()
    {
        await using var ws = Client("ws");
        using var cts = new CancellationTokenSource();
        var call = ws.CreateProxy<ITestApi>().WaitAsync(cts.Token);
        await _host.Api.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await _host.Api.WaitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, await ws.CreateProxy<ITestApi>().AddAsync(1, 2));
    }

    [Fact]
    public async Task Http_cancellation_aborts_the_request()
    {
        await using var http = Client("http");
        using var cts = new CancellationTokenSource();
        var call = http.CreateProxy<ITestApi>().WaitAsync(cts.Token);
        await _host.Api.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await _host.Api.WaitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
