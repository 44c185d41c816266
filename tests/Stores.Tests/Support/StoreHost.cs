using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.Remote;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Kiln.Stores.Tests.Support;

/// <summary>
/// One in-process host: a <see cref="LocalStore"/> over its own storage directory and <c>/remote</c> on a
/// <see cref="TestServer"/> reachable as <c>http://{name}/remote</c>. Hosts of one test share the sector index,
/// as workers share their miner's.
/// </summary>
public sealed class StoreHost : IAsyncDisposable
{
    public const string AdminToken = "admin-token";

    private StoreHost(string name, LocalStore store, WebApplication app)
    {
        Name = name;
        Store = store;
        App = app;
        Server = app.GetTestServer();
        Client = Server.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
    }

    public string Name { get; }

    public LocalStore Store { get; }

    public WebApplication App { get; }

    public TestServer Server { get; }

    /// <summary>A client that sends the admin token.</summary>
    public HttpClient Client { get; }

    public string Url => $"http://{Name}/remote";

    public static async Task<StoreHost> StartAsync(string name, ISectorIndex index, TimeProvider? time = null)
    {
        var store = new LocalStore(index, new LocalStoreOptions { Urls = [$"http://{name}/remote"] }, time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.MapRemoteStore(store, index, (http, _) =>
            ValueTask.FromResult(http.Request.Headers.Authorization.ToString() == "Bearer " + AdminToken));
        await app.StartAsync();
        return new StoreHost(name, store, app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Sends each request to the <see cref="StoreHost"/> whose name is the request's host.</summary>
public sealed class HostRouter(params StoreHost[] hosts) : HttpMessageHandler
{
    private readonly Dictionary<string, HttpMessageInvoker> _byHost =
        hosts.ToDictionary(h => h.Name, h => new HttpMessageInvoker(h.Server.CreateHandler()), StringComparer.OrdinalIgnoreCase);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _byHost.TryGetValue(request.RequestUri!.Host, out var invoker)
            ? invoker.SendAsync(request, cancellationToken)
            : throw new HttpRequestException($"no host {request.RequestUri.Host}");

    protected override void Dispose(bool disposing)
    {
        foreach (var i in _byHost.Values)
        {
            i.Dispose();
        }

        base.Dispose(disposing);
    }
}
