using System.Text.Json.Nodes;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>
/// go-jsonrpc over HTTP (rpc_test.go <c>TestRawRequests</c>, <c>TestIDHandling</c>, <c>TestNotif</c>,
/// <c>TestContentTypeHeader</c>; handler.go <c>handleReader</c>), byte for byte where go-jsonrpc's output is known.
/// </summary>
public sealed class HttpVectorTests : IAsyncLifetime
{
    private RpcTestHost _host = null!;

    public async Task InitializeAsync() => _host = await RpcTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string, int> RawRequests => new()
    {
        { """{"jsonrpc": "2.0", "method": "SimpleServerHandler.Inc", "params": [], "id": 1}""", """{"jsonrpc":"2.0","id":1,"result":null}""", 200 },
        { """{"jsonrpc": "2.0", "method": "SimpleServerHandler.Inc", "params": null, "id": 1}""", """{"jsonrpc":"2.0","id":1,"result":null}""", 200 },
        { """{"jsonrpc": "2.0", "method": "SimpleServerHandler.Inc", "id": 2}""", """{"jsonrpc":"2.0","id":2,"result":null}""", 200 },
        { """{"jsonrpc": "2.0", "method": "SimpleServerHandler.Add", "params": [10], "id": 4}""", """{"jsonrpc":"2.0","id":4,"result":null}""", 200 },
        { """[{"jsonrpc": "2.0", "method": "SimpleServerHandler.Add", "params": [123], "id": 5}""", """{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}""", 500 },
        { """[{"jsonrpc": "2.0", "method": "SimpleServerHandler.Add", "params": [123], "id": 6}]""", """[{"jsonrpc":"2.0","id":6,"result":null}]""", 200 },
        { """[{"jsonrpc": "2.0", "method": "SimpleServerHandler.Add", "params": [123], "id": 7},{"jsonrpc": "2.0", "method": "SimpleServerHandler.Add", "params": [-122], "id": 8}]""", """[{"jsonrpc":"2.0","id":7,"result":null},{"jsonrpc":"2.0","id":8,"result":null}]""", 200 },
        { """[{"jsonrpc": "2.0", "method": "SimpleServerHandler.Add", "params": [123], "id": 9},{"jsonrpc": "2.0", "params": [-122], "id": 10}]""", """[{"jsonrpc":"2.0","id":9,"result":null},{"error":{"code":-32601,"message":"method '' not found"},"id":10,"jsonrpc":"2.0"}]""", 200 },
        { """     [{"jsonrpc": "2.0", "method": "SimpleServerHandler.Add", "params": [-1], "id": 11}]   """, """[{"jsonrpc":"2.0","id":11,"result":null}]""", 200 },
        { "", """{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}""", 400 },
    };

    [Theory]
    [MemberData(nameof(RawRequests))]
    public async Task Raw_requests_match_go_jsonrpc(string request, string expected, int status)
    {
        var (actualStatus, body, _) = await _host.PostAsync(request);
        Assert.Equal(status, actualStatus);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(body)), body);
    }

    [Fact]
    public async Task Responses_have_go_key_order_and_a_trailing_newline()
    {
        var (_, ok, _) = await _host.PostAsync("""{"jsonrpc": "2.0", "method": "SimpleServerHandler.Inc", "params": [], "id": 1}""");
        Assert.Equal("{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}\n", ok);
        var (_, err, _) = await _host.PostAsync("""{"jsonrpc":"2.0","method":"Filecoin.Foo","params":[],"id":1}""");
        Assert.Equal("{\"error\":{\"code\":-32601,\"message\":\"method 'Filecoin.Foo' not found\"},\"id\":1,\"jsonrpc\":\"2.0\"}\n", err);
        var (_, batch, _) = await _host.PostAsync("""[{"method":"SimpleServerHandler.Inc","id":1},{"method":"SimpleServerHandler.Inc","id":"b"}]""");
        Assert.Equal("[{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":null}\n,{\"id\":\"b\",\"jsonrpc\":\"2.0\",\"result\":null}\n]", batch);
    }

    [Fact]
    public async Task Raw_request_sequence_updates_the_counter_like_go()
    {
        foreach (var row in RawRequests)
        {
            await _host.PostAsync((string)row[0]);
        }

        // Inc ×3, Add 10, (5 fails), 123, 123-122, 123, -1
        Assert.Equal(3 + 10 + 123 + 1 + 123 - 1, _host.Simple.N);
    }

    [Fact]
    public async Task Content_type_is_application_json()
    {
        var (_, body, response) = await _host.PostAsync("""{"jsonrpc": "2.0", "method": "SimpleServerHandler.Inc", "params": [], "id": 1}""");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var node = JsonNode.Parse(body)!;
        Assert.Equal("2.0", (string?)node["jsonrpc"]);
        Assert.Equal(1, (int)node["id"]!);
    }

    [Theory]
    [InlineData("\"8116d306-56cc-4637-9dd7-39ce1548a5a0\"", "\"8116d306-56cc-4637-9dd7-39ce1548a5a0\"")]
    [InlineData("1234", "1234")]
    [InlineData("1234.0", "1234")]
    [InlineData("1.2", "1.2")]
    public async Task Ids_are_normalized(string id, string echoed)
    {
        var (status, body, _) = await _host.PostAsync($$"""{"jsonrpc":"2.0","method":"SimpleServerHandler.Inc","params":[],"id":{{id}}}""");
        Assert.Equal(200, status);
        Assert.Equal($$"""{"id":{{echoed}},"jsonrpc":"2.0","result":null}""" + "\n", body);
    }

    [Theory]
    [InlineData("[\"1\"]", "[]interface {}")]
    [InlineData("{\"a\":\"b\"}", "map[string]interface {}")]
    [InlineData("true", "bool")]
    public async Task Array_and_object_ids_are_rejected(string id, string goType)
    {
        var (status, body, _) = await _host.PostAsync($$"""{"jsonrpc":"2.0","method":"SimpleServerHandler.Inc","params":[],"id":{{id}}}""");
        Assert.Equal(500, status);
        Assert.Equal($$"""{"error":{"code":-32700,"message":"failed to parse ID: invalid id type: {{goType}}"},"id":null,"jsonrpc":"2.0"}""" + "\n", body);
        Assert.Equal(0, _host.Simple.N);
    }

    [Fact]
    public async Task Null_id_is_a_notification_that_still_runs()
    {
        var (status, body, _) = await _host.PostAsync("""{"jsonrpc":"2.0","method":"SimpleServerHandler.Add","params":[5],"id":null}""");
        Assert.Equal(200, status);
        Assert.Equal("", body);
        Assert.Equal(5, _host.Simple.N);
        (status, body, _) = await _host.PostAsync("""{"jsonrpc":"2.0","method":"SimpleServerHandler.Add","params":[5]}""");
        Assert.Equal((200, ""), (status, body));
        Assert.Equal(10, _host.Simple.N);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Session","params":[1],"id":1}""", 500, """{"error":{"code":-32602,"message":"wrong param count (method 'Filecoin.Session'): 1 != 0"},"id":1,"jsonrpc":"2.0"}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Closing","params":[],"id":1}""", 500, """{"error":{"code":-32601,"message":"method 'Filecoin.Closing' not found"},"id":1,"jsonrpc":"2.0"}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Count","params":[1,0],"id":1}""", 500, """{"error":{"code":-32601,"message":"method 'Filecoin.Count' not supported in this mode (no out channel support)"},"id":1,"jsonrpc":"2.0"}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Fail","params":["acquiring sector lock: boom"],"id":1}""", 200, """{"error":{"code":1,"message":"acquiring sector lock: boom"},"id":1,"jsonrpc":"2.0"}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.FailWithCode","params":[4,"this happened: some event"],"id":1}""", 200, """{"error":{"code":4,"message":"this happened: some event","meta":"some event"},"id":1,"jsonrpc":"2.0"}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Add","params":[2,3],"id":"x"}""", 200, """{"id":"x","jsonrpc":"2.0","result":5}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.EchoBytes","params":["AQID"],"id":1}""", 200, """{"id":1,"jsonrpc":"2.0","result":"AQID"}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Long","params":[21],"id":1}""", 200, """{"id":1,"jsonrpc":"2.0","result":42}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"Filecoin.Add","params":[null,3],"id":1}""", 200, """{"id":1,"jsonrpc":"2.0","result":3}""")]
    public async Task Errors_and_results_are_exact(string request, int status, string expected)
    {
        var (actualStatus, body, _) = await _host.PostAsync(request);
        Assert.Equal(expected + "\n", body);
        Assert.Equal(status, actualStatus);
    }

    [Theory]
    [InlineData("""{"a":1}""", "object")]
    [InlineData("\"x\"", "string")]
    [InlineData("7", "number")]
    public async Task Params_must_be_an_array(string parameters, string kind)
    {
        var (status, body, _) = await _host.PostAsync($$"""{"jsonrpc":"2.0","method":"Filecoin.Add","params":{{parameters}},"id":1}""");
        Assert.Equal(500, status);
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal(-32700, (int)error["code"]!);
        Assert.Equal("unmarshaling param array: json: cannot unmarshal " + kind + " into Go value of type []jsonrpc.param", (string?)error["message"]);
    }

    [Theory]
    [InlineData("""["2",3]""")]
    [InlineData("[2.5,3]")]
    [InlineData("[[],3]")]
    public async Task Params_of_the_wrong_type_are_parse_errors(string parameters)
    {
        var (status, body, _) = await _host.PostAsync($$"""{"jsonrpc":"2.0","method":"Filecoin.Add","params":{{parameters}},"id":1}""");
        Assert.Equal(500, status);
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal(-32700, (int)error["code"]!);
        Assert.StartsWith("unmarshaling params for 'Filecoin.Add' (param: *Int32): ", (string?)error["message"]);
        Assert.Equal(1, (int)JsonNode.Parse(body)!["id"]!);
    }

    [Fact]
    public async Task Empty_batch_is_an_invalid_request()
    {
        var (status, body, _) = await _host.PostAsync("[]");
        Assert.Equal(400, status);
        Assert.Equal(-32600, (int)JsonNode.Parse(body)!["error"]!["code"]!);
    }

    [Fact]
    public async Task Field_names_match_case_insensitively_like_go()
    {
        var (status, body, _) = await _host.PostAsync("""{"JSONRPC":"2.0","Method":"Filecoin.Add","Params":[1,1],"ID":9}""");
        Assert.Equal(200, status);
        Assert.Equal("{\"id\":9,\"jsonrpc\":\"2.0\",\"result\":2}\n", body);
    }

    [Fact]
    public async Task Body_over_the_limit_is_rejected()
    {
        await using var host = await RpcTestHost.StartAsync(configure: o => o.MaxRequestSize = 1024);
        var big = "{\"jsonrpc\":\"2.0\",\"method\":\"Filecoin.Add\",\"params\":[1,2],\"id\":1,\"pad\":\"" + new string('x', 2000) + "\"}";
        var (status, body, _) = await host.PostAsync(big);
        Assert.Equal(500, status);
        Assert.Equal("{\"error\":{\"code\":-32700,\"message\":\"request bigger than maximum 1024 allowed\"},\"id\":null,\"jsonrpc\":\"2.0\"}\n", body);
        var (okStatus, _, _) = await host.PostAsync("""{"jsonrpc":"2.0","method":"Filecoin.Add","params":[1,2],"id":1}""");
        Assert.Equal(200, okStatus);
    }

    [Fact]
    public async Task Default_limit_is_100_MiB()
    {
        Assert.Equal(104857600, Kiln.Api.JsonRpc.RpcServerOptions.DefaultMaxRequestSize);
        var (status, body, _) = await _host.PostAsync("""{"jsonrpc":"2.0","method":"Filecoin.EchoBytes","params":[""" + "\"" + Convert.ToBase64String(new byte[40 << 20]) + "\"" + """],"id":1}""");
        Assert.Equal(200, status);
        Assert.Equal(40 << 20, Convert.FromBase64String((string)JsonNode.Parse(body)!["result"]!).Length);
    }
}
