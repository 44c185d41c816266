using System.Net;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Miner;
using Kiln.Miner.Repo;
using Kiln.Miner.Workers;
using Kiln.Proofs.Sdr;
using Kiln.Testing;
using Kiln.Worker.Run;

namespace Kiln.Cluster.Tests;

/// <summary>
/// After <c>Shutdown</c> a kiln-worker keeps serving with a nil session for the grace (Lotus runCmd: 20 s, then
/// srv.Shutdown), so the miner unregisters it on its next heartbeat; the grace runs on the worker's clock.
/// </summary>
public sealed class WorkerShutdownTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-shutdown-").FullName;
    private MinerHost _miner = null!;

    public async Task InitializeAsync() => _miner = await MinerHost.StartAsync(
        MinerRepo.Open(Path.Combine(_dir, "miner")),
        new MinerOptions(),
        new IPEndPoint(IPAddress.Loopback, 0),
        TimeProvider.System,
        CancellationToken.None,
        workerOptions: new WorkerRegistryOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(200) });

    public async Task DisposeAsync()
    {
        await _miner.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Shutdown_serves_a_nil_session_for_the_grace_and_the_miner_drops_the_worker()
    {
        var clock = new WatchedTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new WorkerOptions
        {
            Listen = "127.0.0.1:0",
            Name = "shutdown-worker",
            RepoPath = Path.Combine(_dir, "worker"),
            NoLocalStorage = true,
            ShutdownGrace = TimeSpan.FromSeconds(20),
            // Other loops on the same clock wait for other spans, so the grace timer is the one due in 20 s.
            SessionPollInterval = TimeSpan.FromSeconds(7),
            HealthInterval = TimeSpan.FromSeconds(9),
            Snark = new Kiln.Proofs.Snark.SnarkProverOptions { UseInsecureTestProofs = true },
        };
        var token = _miner.Repo.ReadToken();
        await using var worker = await WorkerHost.StartAsync(
            options, new ApiInfo(token, $"/ip4/127.0.0.1/tcp/{_miner.RpcUrl.Port}/http"), new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") }, _ => null, clock, CancellationToken.None);
        var session = worker.Api.ProcessSession;
        Assert.NotNull(_miner.Workers.Find(session));
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _miner.Workers.Removed += w =>
        {
            if (w.Id == session)
            {
                dropped.TrySetResult();
            }
        };

        var client = RpcClient.Create(new Uri(worker.RpcUrl), new RpcClientOptions { Token = token }).CreateProxy<IWorkerApi>();
        await client.ShutdownAsync(CancellationToken.None);
        await worker.ShutdownRequested.WaitAsync(TimeSpan.FromSeconds(10));

        // Still serving, with the nil session: the miner's heartbeat sees it and unregisters the worker.
        Assert.Equal(Guid.Empty, await client.SessionAsync(CancellationToken.None));
        Assert.Equal(session, await client.ProcessSessionAsync(CancellationToken.None));
        await dropped.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Null(_miner.Workers.Find(session));
        Assert.False(worker.Stopped.IsCompleted);

        // The grace is on the worker's clock: not over at 19 s, over at 20 s.
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(20));
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(worker.Stopped.IsCompleted);
        Assert.Equal(Guid.Empty, await client.SessionAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(1));
        await worker.Stopped.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
