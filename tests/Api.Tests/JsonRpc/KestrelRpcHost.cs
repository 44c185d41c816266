using System.Net;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Api.Tests.JsonRpc;

/// <summary>
/// The real tier: Kestrel on a loopback port with its default limits (30 MB request bodies among them) serving
/// <see cref="ITestApi"/> and <see cref="IStreamTestApi"/> at /rpc/v0, plus whatever extra routes a test maps.
/// </summary>
public sealed class KestrelRpcHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelRpcHost(WebApplication app, RpcServer server, TestApi api, StreamTestApi streams, GuardedApi guarded)
    {
        _app = app;
        Guarded = guarded;
        Server = server;
        Api = api;
        Streams = streams;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUri = new Uri(address);
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(5) };
    }

    public RpcServer Server { get; }

    public TestApi Api { get; }

    public StreamTestApi Streams { get; }

    public GuardedApi Guarded { get; }

    public Uri BaseUri { get; }

    public Uri RpcEndpoint => new(BaseUri, "/rpc/v0");

    public HttpClient Http { get; }

    public static async Task<KestrelRpcHost> StartAsync(Action<RpcServerOptions>? configure = null, Action<WebApplication>? map = null, LotusAuthenticator? auth = null)
    {
        var api = new TestApi();
        var streams = new StreamTestApi();
        var guarded = new GuardedApi();
        var options = new RpcServerOptions();
        configure?.Invoke(options);
        var server = new RpcServerBuilder().Register<ITestApi>(api).Register<IStreamTestApi>(streams).Register<IGuardedApi>(guarded).Build(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapLotusRpc("/rpc/v0", server, auth);
        map?.Invoke(app);
        await app.StartAsync();
        return new KestrelRpcHost(app, server, api, streams, guarded);
    }

    /// <summary>A client with the default (production) push client: no HttpClient override.</summary>
    public RpcClient CreateClient() => RpcClient.Create(RpcEndpoint);

    public Task<HttpResponseMessage> HeadAsync(Guid id, CancellationToken ct = default) =>
        Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/rpc/streams/v0/push/" + id), ct);

    public async Task<string> CallAsync(string method, string @params)
    {
        using var content = new StringContent($$"""{"jsonrpc":"2.0","method":"{{method}}","params":{{@params}},"id":1}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/rpc/v0", content);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Waits until the server's open WebSocket sessions satisfy <paramref name="condition"/>, woken by each open or close.</summary>
    public async Task WaitForWebSocketSessionsAsync(Func<int, bool> condition, TimeSpan timeout)
    {
        using var changed = new SemaphoreSlim(0);
        void OnChanged(int _) => changed.Release();
        Server.WebSocketSessionsChanged += OnChanged;
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            while (!condition(Server.OpenWebSocketSessions))
            {
                await changed.WaitAsync(cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"open WebSocket sessions still {Server.OpenWebSocketSessions} after {timeout}");
        }
        finally
        {
            Server.WebSocketSessionsChanged -= OnChanged;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
