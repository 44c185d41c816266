using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Kiln.Api.JsonRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Kiln.Api.Tests.JsonRpc;

public sealed class RobustnessTests
{
    private static readonly int[] ProtocolCodes = [RpcErrorCodes.ParseError, RpcErrorCodes.InvalidRequest, RpcErrorCodes.MethodNotFound, RpcErrorCodes.InvalidParams];

    /// <summary>Bodies that are never valid calls: random bytes, truncated JSON, wrong member types, wrong params.</summary>
    private static IEnumerable<string> MalformedBodies(Random rng)
    {
        const string Valid = """{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1,2],"id":1}""";
        var wrongTypes = new[]
        {
            """{"jsonrpc":2,"method":"Filecoin.Add","params":[1,2],"id":1}""",
            """{"jsonrpc":"2.0","method":7,"params":[1,2],"id":1}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1,2],"id":[1]}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1,2],"id":{}}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Add","params":{"a":1},"id":1}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Add","params":["1",2],"id":1}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1],"id":1}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Nope","params":[],"id":1}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1,2],"id":1,"meta":5}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Digest","params":[{"Type":"bogus","Info":""}],"id":1}""",
            """{"jsonrpc":"2.0","method":"Filecoin.Digest","params":[{"Type":"null","Info":"-1"}],"id":1}""",
            """{"jsonrpc":"2.0","method":"Filecoin.EchoBytes","params":["not base64!"],"id":1}""",
            "[1,2,3]", "[", "]", "\"str\"", "42", "true", "[]", "{", "{]", "\u0000\u0001",
        };
        for (var i = 0; i < 400; i++)
        {
            var bytes = new byte[rng.Next(1, 200)];
            rng.NextBytes(bytes);
            bytes[0] = (byte)"{[\"x1tn\u00ff"[rng.Next(8)];
            yield return Encoding.Latin1.GetString(bytes);
        }

        for (var i = 0; i < 400; i++)
        {
            yield return Valid[..rng.Next(1, Valid.Length - 1)];
        }

        for (var i = 0; i < 300; i++)
        {
            yield return wrongTypes[i % wrongTypes.Length];
        }
    }

    [Fact]
    public async Task Over_a_thousand_malformed_bodies_all_get_well_formed_errors_and_the_server_keeps_serving()
    {
        await using var host = await RpcTestHost.StartAsync();
        var rng = new Random(12345);
        var count = 0;
        foreach (var body in MalformedBodies(rng))
        {
            count++;
            var (status, text, _) = await host.PostAsync(body);
            if (status == 200 && text.Length == 0)
            {
                continue; // a random body that happened to be a notification-shaped value: Go answers nothing
            }

            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var error = root.ValueKind == JsonValueKind.Array ? root[0].GetProperty("error") : root.GetProperty("error");
            var code = error.GetProperty("code").GetInt32();
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            if (root.ValueKind == JsonValueKind.Object)
            {
                Assert.Contains(code, ProtocolCodes);
                Assert.Equal(code == RpcErrorCodes.InvalidRequest ? 400 : 500, status);
                Assert.Equal("2.0", root.GetProperty("jsonrpc").GetString());
                Assert.True(root.TryGetProperty("id", out _));
                Assert.False(root.TryGetProperty("result", out _));
            }
        }

        Assert.True(count >= 1000);
        var (okStatus, ok, _) = await host.PostAsync("""{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1,2],"id":1}""");
        Assert.Equal((200, "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":3}\n"), (okStatus, ok));
    }

    [Fact]
    public async Task WebSocket_client_fails_in_flight_calls_and_reconnects_after_the_server_restarts()
    {
        var api = new TestApi();
        var server = RpcServer.Create<ITestApi>(api);
        TestServer? current = null;
        WebApplication? app = null;

        async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseTestServer();
            builder.Logging.ClearProviders();
            app = builder.Build();
            app.UseWebSockets();
            app.MapLotusRpc("/rpc/v0", server);
            await app.StartAsync();
            current = app.GetTestServer();
        }

        // Each socket the client dials reports, with the server it reached, when the client first reads from it: by then
        // the client has taken it as its connection.
        var reading = Channel.CreateUnbounded<TestServer>();
        await StartAsync();
        await using var client = RpcClient.Create(RpcTestHost.WsEndpoint, new RpcClientOptions
        {
            WebSocketFactory = async (uri, ct) =>
            {
                var server = current!;
                return new ReadReportingWebSocket(await server.CreateWebSocketClient().ConnectAsync(uri, ct), () => reading.Writer.TryWrite(server));
            },
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        });
        var proxy = client.CreateProxy<ITestApi>();
        Assert.Equal(3, await proxy.AddAsync(1, 2));

        var inFlight = proxy.WaitAsync();
        await api.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = app!.StopAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => inFlight.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(RpcErrorCodes.ConnectionClosed, ex.Code);
        Assert.Equal("handler: websocket connection closed", ex.Message);
        Assert.True(ex.IsConnectionError);
        await stopping;
        await app.DisposeAsync();

        await StartAsync();
        // The client redials on its own backoff; once it reads from a socket to the new server, calls go through.
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (await reading.Reader.ReadAsync(patience.Token) != current)
            {
            }
        }

        Assert.Equal(42, await proxy.AddAsync(20, 22));
        await app!.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public void Reconnect_backoff_grows_by_one_and_a_half_up_to_the_cap()
    {
        var min = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(5);
        var first = WebSocketRpcTransport.Backoff(0, min, max);
        Assert.InRange(first.TotalMilliseconds, 100, 110);
        Assert.InRange(WebSocketRpcTransport.Backoff(1, min, max).TotalMilliseconds, 150, 165);
        Assert.InRange(WebSocketRpcTransport.Backoff(4, min, max).TotalMilliseconds, 506.25, 557);
        Assert.InRange(WebSocketRpcTransport.Backoff(50, min, max).TotalMilliseconds, 5000, 5500);
    }

    [Fact]
    public async Task Push_without_a_waiting_method_times_out_with_500_and_other_verbs_are_405()
    {
        await using var host = await RpcTestHost.StartAsync(configure: o => o.StreamTimeout = TimeSpan.FromMilliseconds(300));
        var url = "/rpc/streams/v0/push/" + Guid.NewGuid();
        using var head = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(500, (int)head.StatusCode);
        using var get = await host.Http.GetAsync(url);
        Assert.Equal(405, (int)get.StatusCode);
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task Push_protocol_by_hand_head_parks_until_the_method_reads()
    {
        await using var host = await RpcTestHost.StartAsync();
        var id = Guid.NewGuid();
        var url = "/rpc/streams/v0/push/" + id;
        var head = host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        var call = host.PostAsync($$"""{"jsonrpc":"2.0","method":"Filecoin.Digest","params":[{"Type":"push","Info":"{{id}}"}],"id":7}""");
        using (var headResponse = await head.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(200, (int)headResponse.StatusCode);
        }

        using var post = await host.Http.PostAsync(url, new ByteArrayContent("abc"u8.ToArray()));
        Assert.Equal(200, (int)post.StatusCode);
        var (status, body, _) = await call;
        Assert.Equal(200, status);
        Assert.Equal("{\"id\":7,\"jsonrpc\":\"2.0\",\"result\":\"" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("abc"u8)) + "\"}\n", body);

        // A method that closes the reader unread answers the parked HEAD with 204.
        var id2 = Guid.NewGuid();
        var head2 = host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/rpc/streams/v0/push/" + id2));
        await host.PostAsync($$"""{"jsonrpc":"2.0","method":"Filecoin.IgnoreReader","params":[{"Type":"push","Info":"{{id2}}"}],"id":8}""");
        using var headResponse2 = await head2.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(204, (int)headResponse2.StatusCode);
    }

    [Fact]
    public async Task A_head_or_post_arriving_after_the_method_closed_the_reader_is_answered_at_once()
    {
        await using var host = await RpcTestHost.StartAsync(configure: o => o.StreamTimeout = TimeSpan.FromMinutes(5));
        var id = Guid.NewGuid();
        var (status, _, _) = await host.PostAsync($$"""{"jsonrpc":"2.0","method":"Filecoin.IgnoreReader","params":[{"Type":"push","Info":"{{id}}"}],"id":9}""");
        Assert.Equal(200, status);
        Assert.Equal(0, host.Server.Streams.PendingCount);

        var url = "/rpc/streams/v0/push/" + id;
        using var head = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(204, (int)head.StatusCode);
        using var post = await host.Http.PostAsync(url, new ByteArrayContent("late"u8.ToArray())).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(500, (int)post.StatusCode);
        Assert.Equal(0, host.Server.Streams.PendingCount);
    }

    [Fact]
    public async Task Null_reader_param_is_zeroes_of_the_given_length()
    {
        await using var host = await RpcTestHost.StartAsync();
        var (status, body, _) = await host.PostAsync("""{"jsonrpc":"2.0","method":"Filecoin.Digest","params":[{"Type":"null","Info":"2032"}],"id":1}""");
        Assert.Equal(200, status);
        Assert.Contains(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(new byte[2032])), body);
    }

    /// <summary>A client socket that calls <paramref name="firstRead"/> the first time it is read from.</summary>
    private sealed class ReadReportingWebSocket(WebSocket inner, Action firstRead) : WebSocket
    {
        private int _read;

        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

        public override string? CloseStatusDescription => inner.CloseStatusDescription;

        public override WebSocketState State => inner.State;

        public override string? SubProtocol => inner.SubProtocol;

        public override void Abort() => inner.Abort();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Dispose() => inner.Dispose();

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            Reading();
            return inner.ReceiveAsync(buffer, cancellationToken);
        }

        public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            Reading();
            return inner.ReceiveAsync(buffer, cancellationToken);
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);

        private void Reading()
        {
            if (Interlocked.Exchange(ref _read, 1) == 0)
            {
                firstRead();
            }
        }
    }
}
