using System.Text.Json.Nodes;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>Raw WebSocket frames against the server, as go-jsonrpc websocket.go exchanges them (calls, <c>xrpc.cancel</c>, <c>xrpc.ch.val</c>, <c>xrpc.ch.close</c>).</summary>
public sealed class WebSocketTests : IAsyncLifetime
{
    private RpcTestHost _host = null!;

    public async Task InitializeAsync() => _host = await RpcTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Call_and_response_frames()
    {
        using var ws = await _host.ConnectWebSocketAsync();
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":5,"method":"Filecoin.Add","params":[40,2]}""");
        Assert.Equal("{\"id\":5,\"jsonrpc\":\"2.0\",\"result\":42}\n", await RpcTestHost.ReceiveTextAsync(ws));
    }

    [Fact]
    public async Task Channel_sends_id_then_values_then_close()
    {
        using var ws = await _host.ConnectWebSocketAsync();
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":3,"method":"Filecoin.Count","params":[2,0]}""");
        Assert.Equal("{\"id\":3,\"jsonrpc\":\"2.0\",\"result\":1}\n", await RpcTestHost.ReceiveTextAsync(ws));
        Assert.Equal("""{"jsonrpc":"2.0","method":"xrpc.ch.val","params":[1,1]}""", await RpcTestHost.ReceiveTextAsync(ws));
        Assert.Equal("""{"jsonrpc":"2.0","method":"xrpc.ch.val","params":[1,2]}""", await RpcTestHost.ReceiveTextAsync(ws));
        Assert.Equal("""{"jsonrpc":"2.0","method":"xrpc.ch.close","params":[1]}""", await RpcTestHost.ReceiveTextAsync(ws));

        // Channel ids count per connection.
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":4,"method":"Filecoin.Count","params":[0,0]}""");
        Assert.Equal("{\"id\":4,\"jsonrpc\":\"2.0\",\"result\":2}\n", await RpcTestHost.ReceiveTextAsync(ws));
        Assert.Equal("""{"jsonrpc":"2.0","method":"xrpc.ch.close","params":[2]}""", await RpcTestHost.ReceiveTextAsync(ws));
    }

    [Fact]
    public async Task Cancel_cancels_the_server_side_token()
    {
        using var ws = await _host.ConnectWebSocketAsync();
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":5,"method":"Filecoin.Wait","params":[]}""");
        await _host.Api.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(_host.Api.WaitCancelled.Task.IsCompleted);
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","method":"xrpc.cancel","params":[5]}""");
        Assert.True(await _host.Api.WaitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("{\"error\":{\"code\":1,\"message\":\"context canceled\"},\"id\":5,\"jsonrpc\":\"2.0\"}\n", await RpcTestHost.ReceiveTextAsync(ws));
    }

    [Fact]
    public async Task Cancel_with_float_id_matches_integer_call_id()
    {
        using var ws = await _host.ConnectWebSocketAsync();
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":7,"method":"Filecoin.Wait","params":[]}""");
        await _host.Api.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","method":"xrpc.cancel","params":[7.0]}""");
        Assert.True(await _host.Api.WaitCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Cancelling_a_channel_closes_it()
    {
        using var ws = await _host.ConnectWebSocketAsync();
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":9,"method":"Filecoin.Count","params":[1000000,20]}""");
        Assert.Equal("{\"id\":9,\"jsonrpc\":\"2.0\",\"result\":1}\n", await RpcTestHost.ReceiveTextAsync(ws));
        Assert.Equal("""{"jsonrpc":"2.0","method":"xrpc.ch.val","params":[1,1]}""", await RpcTestHost.ReceiveTextAsync(ws));
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","method":"xrpc.cancel","params":[9]}""");
        Assert.True(await _host.Api.CountCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        string frame;
        do
        {
            frame = await RpcTestHost.ReceiveTextAsync(ws);
        }
        while (frame.Contains("xrpc.ch.val", StringComparison.Ordinal));
        Assert.Equal("""{"jsonrpc":"2.0","method":"xrpc.ch.close","params":[1]}""", frame);
    }

    [Fact]
    public async Task Notifications_and_errors_for_them_get_no_frame()
    {
        using var ws = await _host.ConnectWebSocketAsync();
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","method":"SimpleServerHandler.Add","params":[3]}""");
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","method":"Filecoin.Nope","params":[]}""");
        await RpcTestHost.SendTextAsync(ws, "not json");
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":"last","method":"Filecoin.Nope","params":[]}""");

        // An undecodable frame is answered −32700 with a null id (go-jsonrpc only logs it); the two
        // notifications before it get nothing.
        Assert.Equal("""{"error":{"code":-32700,"message":"Parse error"},"id":null,"jsonrpc":"2.0"}""" + "\n", await RpcTestHost.ReceiveTextAsync(ws));
        var frame = JsonNode.Parse(await RpcTestHost.ReceiveTextAsync(ws))!;
        Assert.Equal("last", (string?)frame["id"]);
        Assert.Equal(-32601, (int)frame["error"]!["code"]!);
        Assert.Equal(3, _host.Simple.N);
    }
}
