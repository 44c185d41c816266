using System.Diagnostics;
using System.Net;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner;
using Kiln.Miner.Jobs;
using Kiln.Miner.Repo;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;

namespace Kiln.Cluster.Tests;

/// <summary>kill -9 of a kiln-worker process during PC1: the miner notices through Session and the sector completes on another worker.</summary>
[Collection(nameof(ProcessKills))]
public sealed class WorkerLossProcessTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-loss-").FullName;
    private readonly List<Process> _workers = [];
    private MinerHost _miner = null!;

    public async Task InitializeAsync() => _miner = await MinerHost.StartAsync(
        MinerRepo.Open(Path.Combine(_dir, "miner")),
        new MinerOptions { SectorSize = "8MiB", HoldSectorsAt = SectorState.PreCommit2 },
        new IPEndPoint(IPAddress.Loopback, 0),
        TimeProvider.System,
        CancellationToken.None,
        workerOptions: new WorkerRegistryOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(200), SessionTimeout = TimeSpan.FromMilliseconds(500), LostAfter = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync()
    {
        await KilnProcesses.StopAllAsync(_workers);

        await _miner.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Process> StartWorkerAsync(string name, string shared)
    {
        var p = await KilnProcesses.StartWorkerAsync(_dir, name, shared, $"{_miner.Repo.Secret.CreateToken(Permission.All)}:/ip4/127.0.0.1/tcp/{_miner.RpcUrl.Port}/http");
        _workers.Add(p);
        return p;
    }

    [Fact]
    public async Task Sector_completes_on_another_worker_after_kill_9_during_pc1()
    {
        var shared = await KilnProcesses.StoragePathAsync(Path.Combine(_dir, "shared"));

        var first = await StartWorkerAsync("worker-a", shared);
        await ClusterFixture.WorkersAsync(_miner.Workers, ws => ws.Count == 1, "worker-a registers");
        await _miner.Pipeline.PledgeAsync(CancellationToken.None);
        await ClusterFixture.JobsAsync(
            _miner.Jobs,
            async () => (await _miner.Jobs.ListAsync(10, CancellationToken.None)).Any(j => j.Task == TaskType.PreCommit1 && j.Outcome == JobOutcome.Running),
            "PC1 starts on worker-a");

        first.Kill(entireProcessTree: true); // kill -9
        await StartWorkerAsync("worker-b", shared);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await _miner.Pipeline.WaitIdleAsync(timeout.Token);
        var sector = Assert.Single(await _miner.Pipeline.ListAsync(CancellationToken.None));
        Assert.True(sector.State == SectorState.PreCommit2, $"{sector.State}: {sector.Error}");
        var pc1 = (await _miner.Jobs.ListAsync(20, CancellationToken.None)).Where(j => j.Task == TaskType.PreCommit1).ToList();
        Assert.Contains(pc1, j => j.HostName == "worker-a" && j.Outcome == JobOutcome.Failed);
        Assert.Contains(pc1, j => j.HostName == "worker-b" && j.Outcome == JobOutcome.Succeeded);
    }
}
