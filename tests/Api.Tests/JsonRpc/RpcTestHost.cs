using System.Net.WebSockets;
using System.Text;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>In-process host tier: a real ASP.NET pipeline on TestServer serving the test APIs at /rpc/v0.</summary>
public sealed class RpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcTestHost(WebApplication app, RpcServer server, SimpleServerHandler simple, TestApi api)
    {
        _app = app;
        Server = server;
        Simple = simple;
        Api = api;
        TestServer = app.GetTestServer();
        Http = TestServer.CreateClient();
    }

    public static readonly Uri HttpEndpoint = new("http://localhost/rpc/v0");

    public static readonly Uri WsEndpoint = new("ws://localhost/rpc/v0");

    public RpcServer Server { get; }

    public SimpleServerHandler Simple { get; }

    public TestApi Api { get; }

    public TestServer TestServer { get; }

    public HttpClient Http { get; }

    public static async Task<RpcTestHost> StartAsync(LotusAuthenticator? auth = null, Action<RpcServerOptions>? configure = null)
    {
        var simple = new SimpleServerHandler();
        var api = new TestApi();
        var options = new RpcServerOptions();
        configure?.Invoke(options);
        var server = new RpcServerBuilder().Register<ISimpleServerHandler>(simple).Register<ITestApi>(api).Build(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapLotusRpc("/rpc/v0", server, auth);
        await app.StartAsync();
        return new RpcTestHost(app, server, simple, api);
    }

    public async Task<(int Status, string Body, HttpResponseMessage Response)> PostAsync(string body, string? authorization = null, string path = "/rpc/v0")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async Task<WebSocket> ConnectWebSocketAsync(string? token = null)
    {
        var client = TestServer.CreateWebSocketClient();
        if (token is not null)
        {
            client.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + token;
        }

        return await client.ConnectAsync(WsEndpoint, CancellationToken.None);
    }

    public RpcClient CreateClient(Uri endpoint, string? token = null) => RpcClient.Create(endpoint, new RpcClientOptions
    {
        Token = token,
        HttpClient = Http,
        WebSocketFactory = (uri, ct) =>
        {
            var client = TestServer.CreateWebSocketClient();
            if (token is not null)
            {
                client.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + token;
            }

            return client.ConnectAsync(uri, ct);
        },
    });

    public static async Task SendTextAsync(WebSocket ws, string text) =>
        await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public static async Task<string> ReceiveTextAsync(WebSocket ws, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var ms = new MemoryStream();
        WebSocketReceiveResult r;
        do
        {
            r = await ws.ReceiveAsync(buffer, cts.Token);
            ms.Write(buffer, 0, r.Count);
        }
        while (!r.EndOfMessage);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
