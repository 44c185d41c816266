using System.Globalization;
using System.Net;
using Kiln.Api.Auth;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Miner;
using Kiln.Miner.Repo;
using Kiln.Miner.Sealing;
using Kiln.Proofs.Sdr;
using Kiln.Stores.Local;
using Kiln.Worker.Run;

namespace Kiln.Cluster.Tests;

/// <summary>
/// The seed's scenarios: an AddPiece host and a PreCommit1 host. With separate storage the PC1 host
/// fetches the unsealed file over GET /remote; when both attach one shared path nothing is fetched.
/// </summary>
public sealed class SharedStorageClusterTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-shared-").FullName;
    private readonly List<WorkerHost> _workers = [];
    private MinerHost _miner = null!;

    public async Task InitializeAsync() =>
        _miner = await MinerHost.StartAsync(MinerRepo.Open(Path.Combine(_dir, "miner")), new MinerOptions { HoldSectorsAt = SectorState.PreCommit2 }, new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, CancellationToken.None);

    public async Task DisposeAsync()
    {
        foreach (var w in _workers)
        {
            await w.DisposeAsync();
        }

        await _miner.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task StartWorkerAsync(string name, TaskType task, string? sharedPath)
    {
        var repo = Path.Combine(_dir, name);
        if (sharedPath != null)
        {
            Directory.CreateDirectory(repo);
            await new StorageConfig([new LocalPathConfig(sharedPath)]).SaveAsync(Path.Combine(repo, "storage.json"), CancellationToken.None);
        }

        _workers.Add(await WorkerHost.StartAsync(
            new WorkerOptions
            {
                Listen = "127.0.0.1:0",
                Name = name,
                RepoPath = repo,
                NoLocalStorage = sharedPath != null,
                RequestedTasks = new HashSet<TaskType> { task, TaskType.Fetch, TaskType.Finalize },
                SessionPollInterval = ClusterFixture.Fast,
                ReturnRetryInterval = ClusterFixture.Fast,
                HealthInterval = TimeSpan.FromSeconds(1),
            },
            new ApiInfo(_miner.Repo.ReadToken(), $"/ip4/127.0.0.1/tcp/{_miner.RpcUrl.Port}/http"),
            new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") },
            _ => null,
            TimeProvider.System,
            CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pc1_host_fetches_only_when_it_cannot_see_the_data(bool shared)
    {
        string? sharedPath = null;
        if (shared)
        {
            sharedPath = Path.Combine(_dir, "shared");
            Directory.CreateDirectory(sharedPath);
            await new LocalStorageMeta(StorageId.New(), 10, CanSeal: true, CanStore: true, 0, null, null, null, null, null, null).SaveAsync(sharedPath, CancellationToken.None);
        }

        await StartWorkerAsync("ap-host", TaskType.AddPiece, sharedPath);
        await StartWorkerAsync("pc1-host", TaskType.PreCommit1, sharedPath);
        await ClusterFixture.WorkersAsync(_miner.Workers, ws => ws.Count == 2, "both workers register");

        await _miner.Pipeline.PledgeAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _miner.Pipeline.WaitIdleAsync(timeout.Token);

        var sector = Assert.Single(await _miner.Pipeline.ListAsync(CancellationToken.None));
        Assert.True(sector.State == SectorState.PreCommit2, $"{sector.State}: {sector.Error}");
        var jobs = await _miner.Jobs.ListAsync(20, CancellationToken.None);
        Assert.Equal("ap-host", Assert.Single(jobs, j => j.Task == TaskType.AddPiece).HostName);
        Assert.Equal("pc1-host", Assert.Single(jobs, j => j.Task == TaskType.PreCommit1).HostName);
        // The PC1 host's own /debug/metrics: its fetches only (its meters are its host's), whatever else runs in the process.
        var gets = await FetchRequestsAsync(_workers[1]); // pc1-host, started second
        if (shared)
        {
            Assert.Equal(0, gets);
        }
        else
        {
            Assert.True(gets > 0, "the PC1 host should have fetched the unsealed file");
        }
    }

    /// <summary><c>kiln_stores_fetch_requests_total</c> on <paramref name="worker"/>'s <c>/debug/metrics</c>; 0 before its first fetch.</summary>
    private static async Task<long> FetchRequestsAsync(WorkerHost worker)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(new Uri(worker.RpcUrl), MetricsEndpoints.Path));
        const string Name = "kiln_stores_fetch_requests_total ";
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(Name, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[Name.Length..], CultureInfo.InvariantCulture);
    }
}
