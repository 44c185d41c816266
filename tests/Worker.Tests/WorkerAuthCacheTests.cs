using System.Net;
using System.Net.Http.Headers;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.Remote;
using Kiln.Testing;
using Kiln.Worker.Run;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Worker.Tests;

/// <summary>
/// Regression: every request to a worker asked the miner's <c>AuthVerify</c>, uncached, so with the miner
/// restarting a valid admin fetch from the worker's <c>/remote</c> got 401, and with the miner stalled it hung. A real
/// miner endpoint (Kestrel, <c>/rpc/v0</c>) is started, stopped, stalled and restarted with a new secret while a
/// worker's <c>/remote</c> is asked for a path's stat.
/// </summary>
public sealed class WorkerAuthCacheTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kiln-authcache-" + Guid.NewGuid().ToString("N"));
    private readonly FakeMiner _miner = new(ApiSecret.Generate());
    private readonly WatchedTimeProvider _clock = new();
    // 0 until the miner first starts on a port of the system's choosing; a restarted miner comes back at that address.
    private int _minerPort;
    // Its own connection pool, so no connection to another test's miner is reused.
    private readonly HttpClient _minerHttp = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();
    private WebApplication? _minerApp;
    private WebApplication _worker = null!;
    private CachingTokenVerifier _verifier = null!;
    private HttpClient _client = null!;
    private string _statUrl = null!;

    private static readonly CachingTokenVerifierOptions Options = new()
    {
        FreshFor = TimeSpan.FromMinutes(1),
        ServeStaleFor = TimeSpan.FromHours(1),
        VerifyTimeout = TimeSpan.FromSeconds(2),
    };

    public async Task InitializeAsync()
    {
        await StartMinerAsync();
        var minerApi = RpcClient.Create(new Uri($"http://127.0.0.1:{_minerPort}/rpc/v0"), new RpcClientOptions { Token = _miner.Secret.CreateToken(Permission.All), HttpClient = _minerHttp })
            .CreateProxy<IMinerStorageApi>();
        // Warm the path (JIT, connection) outside the verifier, so its short timeout measures the miner, not a cold start.
        await minerApi.AuthVerifyAsync(_miner.Secret.CreateToken(["read"]), Ct);
        _verifier = new CachingTokenVerifier(
            async (t, c) =>
            {
                try
                {
                    return await minerApi.AuthVerifyAsync(t, c);
                }
                catch (Exception e)
                {
                    _errors.Enqueue(e.ToString());
                    throw;
                }
            },
            Options,
            _clock);

        var index = new MemSectorIndex();
        // The index's record of where this store is served is never read here: requests reach /remote through _client.
        var store = new LocalStore(index, new LocalStoreOptions { Urls = ["http://127.0.0.1/remote"] });
        var meta = await store.AttachAsync(Path.Combine(_dir, "store"), init: true, canStore: true, ct: Ct);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _worker = builder.Build();
        // As WorkerHost wires it.
        _worker.MapRemoteStore(store, index, KilnWorker.AdminOnly(new LotusAuthenticator(_verifier.VerifyAsync)));
        await _worker.StartAsync(Ct);
        _client = new HttpClient { BaseAddress = BoundAddress(_worker) };
        _statUrl = "/remote/stat/" + meta.ID;
    }

    public async Task DisposeAsync()
    {
        _miner.Unstall();
        _client.Dispose();
        await StopMinerAsync();
        _minerHttp.Dispose();
        await _worker.StopAsync(Ct);
        await _worker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task StartMinerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, _minerPort));
        var app = builder.Build();
        app.MapLotusRpc("/rpc/v0", RpcServer.Create<IAuthOnlyApi>(_miner));
        await app.StartAsync(Ct);
        _minerPort = BoundAddress(app).Port;
        _minerApp = app;
    }

    private static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

    private async Task StopMinerAsync()
    {
        if (_minerApp is { } app)
        {
            _minerApp = null;
            await app.StopAsync(Ct);
            await app.DisposeAsync();
        }
    }

    private async Task<HttpStatusCode> StatAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _statUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task Remote_keeps_serving_the_miners_tokens_while_the_miner_is_down()
    {
        var admin = _miner.Secret.CreateToken(Permission.All);
        var first = await StatAsync(admin);
        Assert.True(first == HttpStatusCode.OK, first + ": " + string.Join("\n", _errors));
        Assert.Equal(HttpStatusCode.OK, await StatAsync(admin));
        // The second request was answered from the cache.
        Assert.Equal(1, _verifier.MinerCalls);

        await StopMinerAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));
        // Past its freshness the token is checked again; the miner refuses connections, the verification stands.
        Assert.Equal(HttpStatusCode.OK, await StatAsync(admin));
        Assert.Equal(2, _verifier.MinerCalls);

        // A token the miner never verified is not let in without it, even a correctly signed one.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatAsync(_miner.Secret.CreateToken(["admin"])));

        // The miner is back: the cached token is verified afresh.
        await StartMinerAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, await StatAsync(admin));
        Assert.Equal(4, _verifier.MinerCalls);

        // Down for longer than ServeStaleFor: no longer trusted.
        await StopMinerAsync();
        _clock.Advance(Options.ServeStaleFor + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatAsync(admin));
    }

    [Fact]
    public async Task A_stalled_miner_costs_one_verify_timeout_not_a_hang()
    {
        var admin = _miner.Secret.CreateToken(Permission.All);
        var first = await StatAsync(admin);
        Assert.True(first == HttpStatusCode.OK, first + ": " + string.Join("\n", _errors));

        _miner.Stall();
        _clock.Advance(TimeSpan.FromMinutes(5));
        // Answered once VerifyTimeout passes on the verifier's clock, from the earlier verification.
        Assert.Equal(HttpStatusCode.OK, await StatPastVerifyTimeoutAsync(admin));
        Assert.Equal(1, _miner.StalledCalls);

        // Right after, the miner is not waited on again: the next fetch is answered from the cache at once.
        var calls = _verifier.MinerCalls;
        Assert.Equal(HttpStatusCode.OK, await StatAsync(admin));
        Assert.Equal(calls, _verifier.MinerCalls);
        // Once RetryMinerAfter has passed it is asked again (and, still stalled, costs one more timeout).
        _clock.Advance(Options.RetryMinerAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await StatPastVerifyTimeoutAsync(admin));
        Assert.Equal(calls + 1, _verifier.MinerCalls);

        // A token never verified gets 401 after the timeout, not a hang.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatPastVerifyTimeoutAsync(_miner.Secret.CreateToken(["admin"])));
    }

    /// <summary>
    /// A stat the stalled miner is asked about: once the miner holds the verification, the verifier's clock is moved to
    /// just before <see cref="CachingTokenVerifierOptions.VerifyTimeout"/> (still waiting), then onto it.
    /// </summary>
    private async Task<HttpStatusCode> StatPastVerifyTimeoutAsync(string token)
    {
        var stat = StatAsync(token);
        Assert.True(await _miner.StalledEntered.WaitAsync(TimeSpan.FromSeconds(10)), "the stalled miner was never asked");
        _clock.Advance(Options.VerifyTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(stat.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        return await stat.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_token_the_restarted_miner_rejects_is_dropped_at_once()
    {
        var admin = _miner.Secret.CreateToken(Permission.All);
        var first = await StatAsync(admin);
        Assert.True(first == HttpStatusCode.OK, first + ": " + string.Join("\n", _errors));

        // The miner comes back with a new secret: the old token is refused and forgotten.
        _miner.Secret = ApiSecret.Generate();
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatAsync(admin));
        Assert.Equal(0, _verifier.Count);

        // So a later outage does not bring it back.
        await StopMinerAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatAsync(admin));
    }

    [Fact]
    public void An_exp_claim_is_read_and_absent_or_unreadable_ones_are_none()
    {
        // {"Allow":["admin"],"exp":1700000000}
        var payload = Convert.ToBase64String("{\"Allow\":[\"admin\"],\"exp\":1700000000}"u8).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), CachingTokenVerifier.ExpiryOf(LotusToken.HeaderSegment + "." + payload + ".sig"));
        Assert.Null(CachingTokenVerifier.ExpiryOf(_miner.Secret.CreateToken(Permission.All)));
        Assert.Null(CachingTokenVerifier.ExpiryOf("not-a-token"));
        Assert.Null(CachingTokenVerifier.ExpiryOf("a.%%%.c"));
    }

    /// <summary>The one method of the miner's API a worker asks about tokens.</summary>
    [RpcNamespace("Filecoin")]
    public interface IAuthOnlyApi
    {
        Task<IReadOnlyList<string>> AuthVerifyAsync(string token, CancellationToken ct);
    }

    private sealed class FakeMiner(ApiSecret secret) : IAuthOnlyApi
    {
        private TaskCompletionSource _stall = Completed();
        private int _stalledCalls;

        public ApiSecret Secret { get; set; } = secret;

        public int StalledCalls => Volatile.Read(ref _stalledCalls);

        /// <summary>Released once for each call that the stall holds.</summary>
        public SemaphoreSlim StalledEntered { get; } = new(0);

        public void Stall() => _stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Unstall() => _stall.TrySetResult();

        public async Task<IReadOnlyList<string>> AuthVerifyAsync(string token, CancellationToken ct)
        {
            var stall = _stall;
            if (!stall.Task.IsCompleted)
            {
                Interlocked.Increment(ref _stalledCalls);
                StalledEntered.Release();
                await stall.Task;
            }

            return Secret.Verify(token);
        }

        private static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }
    }
}
