using System.Net;
using System.Text;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Repo;
using Kiln.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Miner.Tests;

/// <summary>kiln-miner on a real Kestrel port on loopback, called the way lotus-worker calls lotus-miner.</summary>
public sealed class MinerHostTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-miner-").FullName;
    private MinerHost _host = null!;

    public async Task InitializeAsync() => _host = await StartAsync();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<MinerHost> StartAsync() =>
        MinerHost.StartAsync(MinerRepo.Open(Path.Combine(_dir, "repo")), new MinerOptions(), new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, CancellationToken.None);

    private IMinerStorageApi Client(string? token) =>
        RpcClient.Create(_host.RpcUrl, new RpcClientOptions { Token = token }).CreateProxy<IMinerStorageApi>();

    [Fact]
    public async Task Worker_facing_identity_methods_answer_like_lotus_miner()
    {
        var miner = Client(_host.Repo.ReadToken());
        var version = await miner.VersionAsync(CancellationToken.None);
        Assert.Equal(66816u, version.APIVersion.Value);
        Assert.Equal("t01000", await miner.ActorAddressAsync(CancellationToken.None));
        Assert.Equal(2048UL, await miner.ActorSectorSizeAsync("t01000", CancellationToken.None));

        var token = Encoding.ASCII.GetString(await miner.AuthNewAsync([Permission.Admin], CancellationToken.None));
        Assert.Equal([Permission.Admin], await miner.AuthVerifyAsync(token, CancellationToken.None));
        var bad = await Assert.ThrowsAsync<RpcException>(() => miner.AuthVerifyAsync(token + "x", CancellationToken.None));
        Assert.StartsWith("JWT Verification failed", bad.Message, StringComparison.Ordinal);

        // the api file says where the miner listens, as lotus-miner's does
        Assert.Equal($"/ip4/127.0.0.1/tcp/{_host.RpcUrl.Port}/http", _host.Repo.ReadApi());
    }

    [Fact]
    public async Task Permissions_are_checked_exactly_and_bad_tokens_get_401()
    {
        var anonymous = Client(null);
        Assert.NotEqual(Guid.Empty, await anonymous.SessionAsync(CancellationToken.None));
        var denied = await Assert.ThrowsAsync<RpcException>(() => anonymous.WorkerConnectAsync("http://127.0.0.1:1/rpc/v0", CancellationToken.None));
        Assert.Equal("missing permission to invoke 'WorkerConnect' (need 'admin')", denied.Message);

        var readOnly = Client(_host.Repo.Secret.CreateToken([Permission.Read]));
        await Assert.ThrowsAsync<RpcException>(() => readOnly.StorageListAsync(CancellationToken.None));

        var forged = Client(new Kiln.Api.Auth.ApiSecret(new byte[32]).CreateToken(Permission.All));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => forged.SessionAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
    }

    [Fact]
    public async Task Worker_connects_and_the_heartbeat_disables_and_removes_it()
    {
        var fake = new FakeWorker();
        await using var worker = await ServeAsync(fake);
        var miner = Client(_host.Repo.ReadToken());

        await miner.WorkerConnectAsync(worker.Url, CancellationToken.None);
        var stats = await miner.WorkerStatsAsync(CancellationToken.None);
        var entry = Assert.Single(stats);
        Assert.Equal(fake.Session, entry.Key);
        Assert.Equal("fake-host", entry.Value.Info.Hostname);
        Assert.True(entry.Value.Enabled);
        Assert.Contains(TaskType.PreCommit1, entry.Value.Tasks!);

        // connecting again with the same session is ignored
        await miner.WorkerConnectAsync(worker.Url, CancellationToken.None);
        Assert.Single(await miner.WorkerStatsAsync(CancellationToken.None));

        fake.Fail = true;
        await _host.Workers.HeartbeatAsync(CancellationToken.None);
        Assert.False(Assert.Single(await miner.WorkerStatsAsync(CancellationToken.None)).Value.Enabled);

        fake.Fail = false;
        await _host.Workers.HeartbeatAsync(CancellationToken.None);
        Assert.True(Assert.Single(await miner.WorkerStatsAsync(CancellationToken.None)).Value.Enabled);

        fake.Session = Guid.NewGuid(); // the worker restarted: it must connect again
        await _host.Workers.HeartbeatAsync(CancellationToken.None);
        Assert.Empty(await miner.WorkerStatsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Index_declarations_survive_a_miner_restart()
    {
        var miner = Client(_host.Repo.ReadToken());
        var id = new StorageId(Guid.NewGuid().ToString());
        var info = new StorageInfo(id, ["http://127.0.0.1:3456/remote"], 10, 0, true, true, null, null, null, null, null, null);
        await miner.StorageAttachAsync(info, new FsStat(1 << 30, 1 << 29, 1 << 29, 0, 0, 0), CancellationToken.None);
        await miner.StorageDeclareSectorAsync(id, new SectorId(1000, 5), SectorFileType.Sealed, true, CancellationToken.None);
        var session = await miner.SessionAsync(CancellationToken.None);

        await _host.DisposeAsync();
        _host = await StartAsync();
        miner = Client(_host.Repo.ReadToken());

        Assert.NotEqual(session, await miner.SessionAsync(CancellationToken.None));
        var found = await miner.StorageFindSectorAsync(new SectorId(1000, 5), SectorFileType.Sealed, 2048, false, CancellationToken.None);
        Assert.Equal("http://127.0.0.1:3456/remote/sealed/s-t01000-5", Assert.Single(Assert.Single(found).URLs!));
    }

    [Fact]
    public async Task A_result_is_accepted_once()
    {
        var miner = Client(_host.Repo.ReadToken());
        var call = new CallId(new SectorId(1000, 1), Guid.NewGuid());
        await miner.ReturnFinalizeSectorAsync(call, null, CancellationToken.None);
        var again = await Assert.ThrowsAsync<RpcException>(() => miner.ReturnFinalizeSectorAsync(call, null, CancellationToken.None));
        Assert.Contains("already reported", again.Message, StringComparison.Ordinal);
    }

    private static async Task<ServedWorker> ServeAsync(IWorkerApi api)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapLotusRpc("/rpc/v0", RpcServer.Create(api));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServedWorker(app, address + "/rpc/v0");
    }

    private sealed record ServedWorker(WebApplication App, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    [Fact]
    public async Task Miner_storage_attach_declares_the_path_serves_it_on_remote_and_survives_a_restart()
    {
        var token = _host.Repo.ReadToken();
        var miner = Client(token);
        var root = Path.Combine(_dir, "miner-store");
        var meta = await Kiln.Stores.Local.LocalStorageMeta.InitializeAsync(root, 10, canSeal: false, canStore: true, 0, null, null, CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(root, "sealed"));
        await File.WriteAllBytesAsync(Path.Combine(root, "sealed", "s-t01000-7"), Enumerable.Range(0, 2048).Select(i => (byte)i).ToArray());

        await miner.StorageAddLocalAsync(root, CancellationToken.None);
        Assert.Equal(root, (await miner.StorageLocalAsync(CancellationToken.None))[meta.ID]);
        var url = $"http://127.0.0.1:{_host.RpcUrl.Port}/remote/sealed/s-t01000-7";
        var found = Assert.Single(await miner.StorageFindSectorAsync(new SectorId(1000, 7), SectorFileType.Sealed, 2048, false, CancellationToken.None));
        Assert.Equal(url, Assert.Single(found.URLs!));
        Assert.True((await miner.StorageStatAsync(meta.ID, CancellationToken.None)).Capacity > 0);
        var again = await Assert.ThrowsAsync<RpcException>(() => miner.StorageAddLocalAsync(root, CancellationToken.None));
        Assert.Contains("already opened", again.Message, StringComparison.Ordinal);

        using var http = new HttpClient();
        using (var anonymous = await http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("missing write permission", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer " + token } } })
        using (var response = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2048, (await response.Content.ReadAsByteArrayAsync()).Length);
        }

        // storage.json keeps the path: a restarted miner opens it again
        await _host.DisposeAsync();
        _host = await StartAsync();
        miner = Client(_host.Repo.ReadToken());
        Assert.Equal(root, (await miner.StorageLocalAsync(CancellationToken.None))[meta.ID]);

        await miner.StorageDetachLocalAsync(root, CancellationToken.None);
        Assert.Empty(await miner.StorageLocalAsync(CancellationToken.None));
        Assert.DoesNotContain(root, await File.ReadAllTextAsync(_host.Repo.StorageConfigFile), StringComparison.Ordinal);
        var gone = await Assert.ThrowsAsync<RpcException>(() => miner.StorageDetachLocalAsync(root, CancellationToken.None));
        Assert.Contains("no open path", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_metrics_are_served_without_a_token_as_prometheus_text()
    {
        // No worker: the pledged sector's AddPiece waits in the scheduler's queue; the gauge reads the queue's length.
        var scheduler = _host.Scheduler;
        await _host.Pipeline.PledgeAsync(CancellationToken.None);
        await EventWait.UntilAsync(
            h => scheduler.QueueChanged += h,
            h => scheduler.QueueChanged -= h,
            () => scheduler.QueueLength == 1,
            "the pledged sector's AddPiece to wait in the scheduler's queue");
        var url = new Uri(_host.RpcUrl, "/debug/metrics");
        using var http = new HttpClient();
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("# TYPE kiln_miner_scheduler_queue gauge\nkiln_miner_scheduler_queue 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_miner_workers{enabled=\"true\",kind=\"sealing\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE kiln_miner_scheduler_pass_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kiln_worker_", text, StringComparison.Ordinal);

        using var post = await http.PostAsync(url, null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
