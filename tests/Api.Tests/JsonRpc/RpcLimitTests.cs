using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Testing;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>
/// No anonymous call can make the server hold memory. The permission is checked before any param is
/// decoded, bodies are limited by the caller's permission, big buffers are not kept in the pool, WebSocket sessions bound
/// their calls and queued answers, and undecodable input is answered −32700.
/// </summary>
[Collection(nameof(HeapMeasuring))]
public sealed class RpcLimitTests
{
    private const int MiB = 1 << 20;

    private static byte[] ComputeDataCidRequest(long id, Guid reader) =>
        Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","method":"Guarded.ComputeDataCid","params":[2048,{"Type":"push","Info":"{{reader}}"}],"id":{{id}}}""");

    private static async Task<long> HeapGrowthOverAsync(Func<Task> work)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await work();
        return GC.GetTotalMemory(forceFullCollection: true) - before;
    }

    [Fact]
    public async Task Hundred_thousand_anonymous_reader_calls_are_refused_before_decoding_and_leave_nothing_behind()
    {
        var guarded = new GuardedApi();
        var server = new RpcServerBuilder().Register<IGuardedApi>(guarded).Build(new RpcServerOptions());
        var output = new ArrayBufferWriter<byte>(512);
        string? first = null, last = null;

        async Task CallsAsync(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                output.ResetWrittenCount();
                var status = await server.HandleRequestAsync(ComputeDataCidRequest(i, Guid.NewGuid()), Permission.Default, output);
                Assert.Equal(200, status);
                last = Encoding.UTF8.GetString(output.WrittenSpan);
                first ??= last;
            }
        }

        await CallsAsync(0, 1000);
        var growth = await HeapGrowthOverAsync(() => CallsAsync(1000, 100_000));

        Assert.Equal("""{"error":{"code":1,"message":"missing permission to invoke 'ComputeDataCid' (need 'admin')"},"id":0,"jsonrpc":"2.0"}""" + "\n", first);
        Assert.Contains("\"id\":100999", last, StringComparison.Ordinal);
        Assert.Equal(0, guarded.ComputeCalls);
        Assert.Equal(0, server.Streams.PendingCount);
        Assert.Equal(0, server.Streams.FinishedCount);
        Assert.True(growth < 4 * MiB, $"the heap grew by {growth} bytes over 100,000 refused calls");
    }

    [Fact]
    public async Task Readers_of_permitted_calls_are_remembered_in_bounded_number_after_they_close()
    {
        var guarded = new GuardedApi();
        var server = new RpcServerBuilder().Register<IGuardedApi>(guarded).Build(new RpcServerOptions { MaxPendingReaders = 16 });
        var output = new ArrayBufferWriter<byte>(512);
        for (var i = 0; i < 20_000; i++)
        {
            output.ResetWrittenCount();
            await server.HandleRequestAsync(ComputeDataCidRequest(i, Guid.NewGuid()), Permission.All, output);
        }

        Assert.Equal("""{"id":19999,"jsonrpc":"2.0","result":2048}""" + "\n", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(20_000, guarded.ComputeCalls);
        Assert.Equal(0, server.Streams.PendingCount);
        Assert.InRange(server.Streams.FinishedCount, 1, 64);
    }

    [Fact]
    public async Task Twenty_concurrent_anonymous_100_MiB_posts_are_cut_at_the_read_only_limit_and_pin_no_memory()
    {
        var secret = ApiSecret.Generate();
        await using var host = await KestrelRpcHost.StartAsync(auth: LotusAuthenticator.FromSecret(secret));
        Assert.Contains("\"result\":42", await host.CallAsync("Filecoin.Add", "[40,2]"), StringComparison.Ordinal);
        const long Declared = 100L * MiB;
        var results = new (long Sent, string? Body)[20];

        async Task PostAsync(int i)
        {
            var generated = new GeneratedStream(Declared, (ulong)i + 1);
            using var content = new StreamContent(generated, 64 * 1024);
            if (i % 2 == 0)
            {
                content.Headers.ContentLength = Declared; // the rest go chunked, with no length to check up front
            }

            try
            {
                using var response = await host.Http.PostAsync("/rpc/v0", content);
                results[i] = (generated.Position, await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException)
            {
                results[i] = (generated.Position, null); // the server closed the connection on the rest of the upload
            }
        }

        var growth = await HeapGrowthOverAsync(() => Task.WhenAll(Enumerable.Range(0, 20).Select(PostAsync)));

        foreach (var (sent, body) in results)
        {
            Assert.True(sent < 32 * MiB, $"{sent} bytes of a refused body were taken");
            if (body is not null)
            {
                Assert.Equal("""{"error":{"code":-32700,"message":"request bigger than maximum 1048576 allowed"},"id":null,"jsonrpc":"2.0"}""" + "\n", body);
            }
        }

        Assert.Contains("\"result\":42", await host.CallAsync("Filecoin.Add", "[40,2]"), StringComparison.Ordinal);
        Assert.True(growth < 64 * MiB, $"the heap grew by {growth} bytes after 20 refused 100 MiB posts");
    }

    [Fact]
    public async Task Body_limit_follows_the_callers_permission()
    {
        var secret = ApiSecret.Generate();
        await using var host = await RpcTestHost.StartAsync(LotusAuthenticator.FromSecret(secret));
        var data = new byte[(3 * MiB) / 2];
        new Random(13).NextBytes(data);
        var request = $$"""{"jsonrpc":"2.0","method":"Filecoin.EchoBytes","params":["{{Convert.ToBase64String(data)}}"],"id":3}""";

        var (anonStatus, anonBody, _) = await host.PostAsync(request);
        var (readStatus, readBody, _) = await host.PostAsync(request, "Bearer " + secret.CreateToken([Permission.Read]));
        var (adminStatus, adminBody, _) = await host.PostAsync(request, "Bearer " + secret.CreateToken(Permission.All));

        const string TooBig = """{"error":{"code":-32700,"message":"request bigger than maximum 1048576 allowed"},"id":null,"jsonrpc":"2.0"}""" + "\n";
        Assert.Equal((500, TooBig), (anonStatus, anonBody));
        Assert.Equal((500, TooBig), (readStatus, readBody));
        Assert.Equal(200, adminStatus);
        Assert.Equal(Convert.ToBase64String(data), (string?)JsonNode.Parse(adminBody)!["result"]);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","method":"\ud800","params":[],"id":7}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Add\udfff","params":[1,2],"id":7}""")]
    public async Task A_lone_surrogate_in_the_method_name_is_a_parse_error_not_an_empty_500(string request)
    {
        await using var host = await RpcTestHost.StartAsync();
        var (status, body, _) = await host.PostAsync(request);

        Assert.Equal(500, status);
        var error = JsonNode.Parse(body)!;
        Assert.Equal(-32700, (int)error["error"]!["code"]!);
        Assert.Equal(7, (int)error["id"]!);
        Assert.StartsWith("Parse error: invalid method name", (string?)error["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_request_is_a_parse_error()
    {
        await using var host = await RpcTestHost.StartAsync();
        byte[] request = [.. """{"jsonrpc":"2.0","method":"Filecoin.A"""u8, 0xC3, 0x28, .. "\",\"params\":[],\"id\":8}"u8];
        using var content = new ByteArrayContent(request);
        using var response = await host.Http.PostAsync("/rpc/v0", content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal(-32700, (int)JsonNode.Parse(body)!["error"]!["code"]!);
    }

    [Fact]
    public async Task WebSocket_answers_malformed_frames_and_lone_surrogates_and_keeps_serving()
    {
        await using var host = await RpcTestHost.StartAsync();
        using var ws = await host.ConnectWebSocketAsync();

        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":5,"method":"\ud800","params":[]}""");
        var surrogate = JsonNode.Parse(await RpcTestHost.ReceiveTextAsync(ws))!;
        Assert.Equal(-32700, (int)surrogate["error"]!["code"]!);
        Assert.Equal(5, (int)surrogate["id"]!);

        await RpcTestHost.SendTextAsync(ws, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":");
        Assert.Equal("""{"error":{"code":-32700,"message":"Parse error"},"id":null,"jsonrpc":"2.0"}""" + "\n", await RpcTestHost.ReceiveTextAsync(ws));

        await ws.SendAsync(new byte[] { (byte)'{', 0xFF, 0xFE, (byte)'}' }, WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal(-32700, (int)JsonNode.Parse(await RpcTestHost.ReceiveTextAsync(ws))!["error"]!["code"]!);

        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":9,"method":"Filecoin.Add","params":[40,2]}""");
        Assert.Equal("{\"id\":9,\"jsonrpc\":\"2.0\",\"result\":42}\n", await RpcTestHost.ReceiveTextAsync(ws));
    }

    [Fact]
    public async Task WebSocket_session_runs_at_most_its_cap_of_calls_and_answers_them_all()
    {
        await using var host = await KestrelRpcHost.StartAsync(o => o.MaxCallsInFlightPerSession = 4);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://{host.BaseUri.Authority}/rpc/v0"), CancellationToken.None);
        for (var i = 0; i < 40; i++)
        {
            await RpcTestHost.SendTextAsync(ws, $$"""{"jsonrpc":"2.0","id":{{i}},"method":"Guarded.Gated","params":[{{i}}]}""");
        }

        for (var started = 0; started < 4; started++)
        {
            await host.Guarded.Starts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }

        host.Guarded.Gate.TrySetResult();
        var answered = new HashSet<int>();
        for (var i = 0; i < 40; i++)
        {
            var response = JsonNode.Parse(await RpcTestHost.ReceiveTextAsync(ws))!;
            Assert.Equal((int)response["id"]!, (int)response["result"]!);
            answered.Add((int)response["id"]!);
        }

        Assert.Equal(40, answered.Count);
        Assert.Equal(40, host.Guarded.Started);
        Assert.Equal(4, host.Guarded.MaxRunning);
    }

    [Fact]
    public async Task WebSocket_client_that_stops_reading_is_disconnected()
    {
        await using var host = await KestrelRpcHost.StartAsync(o =>
        {
            o.MaxQueuedSendBytesPerSession = MiB;
            o.SendTimeout = TimeSpan.FromSeconds(2);
        });
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://{host.BaseUri.Authority}/rpc/v0"), CancellationToken.None);
        // A session counts itself open before it reads its first frame: once one call is answered it is counted.
        await RpcTestHost.SendTextAsync(ws, """{"jsonrpc":"2.0","id":-1,"method":"Filecoin.Add","params":[1,2]}""");
        Assert.Equal("{\"id\":-1,\"jsonrpc\":\"2.0\",\"result\":3}\n", await RpcTestHost.ReceiveTextAsync(ws));
        Assert.Equal(1, host.Server.OpenWebSocketSessions);

        // 200 answers of 256 KiB (50 MiB) that the client never reads.
        var sent = 0;
        try
        {
            for (; sent < 200; sent++)
            {
                await RpcTestHost.SendTextAsync(ws, $$"""{"jsonrpc":"2.0","id":{{sent}},"method":"Guarded.Pad","params":[262144]}""");
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // The server may drop the connection before the client is done sending.
        }

        await host.WaitForWebSocketSessionsAsync(open => open == 0, TimeSpan.FromSeconds(30));

        var received = 0;
        try
        {
            while (ws.State == WebSocketState.Open)
            {
                await RpcTestHost.ReceiveTextAsync(ws);
                received++;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // The connection was dropped under the unread answers.
        }

        Assert.True(received < 200, $"{received} of {sent} answers arrived although the session was dropped");
    }
}

/// <summary>
/// Tests that measure the process's managed heap: they run with no other test collection at once, since another
/// test's allocations would count as theirs.
/// </summary>
[CollectionDefinition(nameof(HeapMeasuring), DisableParallelization = true)]
public sealed class HeapMeasuring;
