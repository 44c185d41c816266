using System.Diagnostics;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Jobs;
using Kiln.Miner.Repo;
using Kiln.Miner.Rpc;

namespace Kiln.Cluster.Tests;

/// <summary>
/// kill -9 of the kiln-miner process while a kiln-worker process runs PC1: the restarted miner finds the
/// work in its work store, waits for the same call, and the worker's result is delivered and recorded —
/// PC1 runs once.
/// </summary>
[Collection(nameof(ProcessKills))]
public sealed class MinerKillProcessTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-minerkill-").FullName;
    private readonly List<Process> _processes = [];
    private readonly int _port = KilnProcesses.FreePort();

    private string MinerRepoPath => Path.Combine(_dir, "miner");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await KilnProcesses.StopAllAsync(_processes);
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Process> StartMinerAsync()
    {
        var p = KilnProcesses.Start("kiln-miner", ["--repo", MinerRepoPath, "run", "--listen", $"127.0.0.1:{_port}", "--sector-size", "8MiB"]);
        _processes.Add(p);
        // Printed once the RPC server is bound and serving (and the api file written).
        await KilnProcesses.WaitForLineAsync(p, "listening on", "kiln-miner to answer");
        return p;
    }

    private RpcClient Client()
    {
        var token = MinerRepo.Open(MinerRepoPath).ReadToken();
        return RpcClient.Create(new ApiInfo(token, $"/ip4/127.0.0.1/tcp/{_port}/http").HttpUrl(), new RpcClientOptions { Token = token });
    }

    private IMinerStorageApi Storage() => Client().CreateProxy<IMinerStorageApi>();

    private IKilnMinerApi Kiln() => Client().CreateProxy<IKilnMinerApi>();

    [Fact]
    public async Task A_result_finished_while_the_miner_was_dead_is_delivered_to_the_restarted_miner_and_recorded()
    {
        var miner = await StartMinerAsync();
        var token = MinerRepo.Open(MinerRepoPath).Secret.CreateToken(Permission.All);
        var storage = await KilnProcesses.StoragePathAsync(Path.Combine(_dir, "store"));
        var worker = await KilnProcesses.StartWorkerAsync(_dir, "pc1-host", storage, $"{token}:/ip4/127.0.0.1/tcp/{_port}/http");
        _processes.Add(worker);
        await KilnProcesses.WaitForLineAsync(miner, "on pc1-host connected from", "the worker to register");
        Assert.Single(await Storage().WorkerStatsAsync(CancellationToken.None));

        // tree_d is written before labeling starts: watched from before the pledge, so its creation cannot be missed.
        var cache = Directory.CreateDirectory(Path.Combine(storage, "cache"));
        using var treeD = new FileWatch(cache.FullName, Path.Combine("s-t01000-1", "sc-02-data-tree-d.dat"));
        var sector = await Kiln().PledgeSectorAsync(CancellationToken.None);
        // Logged after the job's row is written.
        await KilnProcesses.WaitForLineAsync(miner, @"PC1 of sector 1 started on pc1-host as call", "PC1 to start");

        // Past its index calls (acquire) the worker only computes.
        await treeD.WaitAsync("PC1 to be labeling");

        // Freeze the worker mid-PC1 so it cannot answer the old miner, then kill -9 the miner.
        await KilnProcesses.SignalAsync(worker, "STOP");
        miner.Kill();
        await miner.WaitForExitAsync();

        Guid pc1Call;
        await using (var jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = Path.Combine(MinerRepoPath, "jobs.sqlite") }, TimeProvider.System, CancellationToken.None))
        await using (var works = await WorkStore.OpenAsync(Path.Combine(MinerRepoPath, "works.sqlite"), TimeProvider.System, CancellationToken.None))
        {
            var pc1 = Assert.Single(await jobs.ListAsync(10, CancellationToken.None), j => j.Task == TaskType.PreCommit1);
            Assert.Equal(JobOutcome.Running, pc1.Outcome);
            var work = Assert.Single(await works.ListAsync(CancellationToken.None));
            Assert.Equal(WorkStatus.Running, work.Status);
            Assert.Equal(pc1.CallId, work.Call!.Value.ID);
            pc1Call = pc1.CallId;
        }

        var restarted = await StartMinerAsync();
        await KilnProcesses.SignalAsync(worker, "CONT");

        // The pipeline logs each state it moves the sector to: wait for it to leave PreCommit1.
        await KilnProcesses.WaitForLineAsync(restarted, @"sector 1 is now (?!Packing\b|PreCommit1\b)", "the sector to move past PreCommit1", patience: TimeSpan.FromSeconds(120));
        var status = await Kiln().SectorsStatusAsync(sector.Number, false, CancellationToken.None);
        Assert.True(status.State is not "Failed", $"{status.State}: {status.LastErr}");
        var history = await Kiln().KilnJobHistoryAsync(50, CancellationToken.None);
        var done = Assert.Single(history, j => j.Task == "PC1");
        Assert.Equal(pc1Call, done.CallID);
        Assert.Equal("Succeeded", done.Outcome);
        Assert.Equal("pc1-host", done.Hostname);
        Assert.NotNull(status.CommD.ToString());

        // The worker comes back to the restarted miner once PC1 is over.
        await KilnProcesses.WaitForLineAsync(restarted, "on pc1-host connected from", "the worker to register again");
        Assert.Single(await Storage().WorkerStatsAsync(CancellationToken.None));
    }
}
