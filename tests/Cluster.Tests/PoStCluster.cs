using System.Diagnostics;
using System.Net;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.Types;
using Kiln.Miner;
using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Repo;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Proofs.Multiformats;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Testing;
using Kiln.Worker.Run;

namespace Kiln.Cluster.Tests;

/// <summary>
/// A miner (in process, insecure test proofs, proving loop off) with storage nodes, PoSt workers in process or as
/// kiln-worker processes, and copies of the lotus-bench 2 KiB sector as the sectors to prove. Tests drive the
/// miner's own provers (<see cref="ProvingService.WindowProver"/>, <see cref="ProvingService.WinningProver"/>).
/// </summary>
internal sealed class PoStCluster : IAsyncDisposable
{
    public const ulong MinerId = BenchSector.Miner;

    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(200);

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-postcluster-").FullName;
    private readonly BenchSectorTemplate _template;
    private readonly List<WorkerHost> _workers = [];
    private readonly List<Process> _processes = [];

    private PoStCluster(BenchSectorTemplate template) => _template = template;

    public MinerHost Miner { get; private set; } = null!;

    /// <summary>MINER_API_INFO for kiln-worker processes.</summary>
    public string ApiInfo => $"{Miner.Repo.Secret.CreateToken(Permission.All)}:/ip4/127.0.0.1/tcp/{Miner.RpcUrl.Port}/http";

    /// <summary>A PoSt cluster on the devnet chain, or on the Lotus full node of <paramref name="fullNodeApiInfo"/>.</summary>
    public static async Task<PoStCluster> StartAsync(BenchSectorTemplate template, string? fullNodeApiInfo = null)
    {
        var options = new MinerOptions { SectorSize = "2KiB" };
        options.Proving.Snark.UseInsecureTestProofs = true;
        if (fullNodeApiInfo is not null)
        {
            options.Proving.FullNodeApiInfo = fullNodeApiInfo;
            options.Proving.ChainPollInterval = TimeSpan.FromMilliseconds(50);
        }

        var cluster = new PoStCluster(template);
        cluster.Miner = await MinerHost.StartAsync(
            MinerRepo.Open(Path.Combine(cluster._dir, "miner")), options, new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, CancellationToken.None, Microsoft.Extensions.Logging.LogLevel.Warning);
        return cluster;
    }

    /// <summary>An in-process kiln-worker; <paramref name="tasks"/> null for a sealing worker (a storage node).</summary>
    public async Task<WorkerHost> StartWorkerAsync(string name, IReadOnlySet<TaskType>? tasks = null, TimeSpan? postReadTimeout = null)
    {
        var options = new WorkerOptions
        {
            Listen = "127.0.0.1:0",
            Name = name,
            RepoPath = Path.Combine(_dir, name),
            NoLocalStorage = true,
            SessionPollInterval = Fast,
            ReturnRetryInterval = Fast,
            HealthInterval = TimeSpan.FromSeconds(1),
            PostReadTimeout = postReadTimeout ?? TimeSpan.Zero,
            Snark = new SnarkProverOptions { UseInsecureTestProofs = true },
        };
        if (tasks != null)
        {
            options.RequestedTasks = tasks;
        }

        var worker = await WorkerHost.StartAsync(
            options,
            new ApiInfo(Miner.Repo.ReadToken(), $"/ip4/127.0.0.1/tcp/{Miner.RpcUrl.Port}/http"),
            new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") },
            _ => null,
            TimeProvider.System,
            CancellationToken.None);
        _workers.Add(worker);
        return worker;
    }

    public Task<WorkerHost> StartWindowWorkerAsync(string name, TimeSpan? postReadTimeout = null) =>
        StartWorkerAsync(name, new HashSet<TaskType> { TaskType.GenerateWindowPoSt }, postReadTimeout);

    public Task<WorkerHost> StartWinningWorkerAsync(string name) =>
        StartWorkerAsync(name, new HashSet<TaskType> { TaskType.GenerateWinningPoSt });

    /// <summary>
    /// A storage node: an in-process sealing worker with one storage path holding copies of the bench sector as
    /// <paramref name="sectors"/> (which, unless <paramref name="heldElsewhere"/>, no other path in the index holds).
    /// </summary>
    public async Task<WorkerHost> StartStorageNodeAsync(string name, IReadOnlyList<ulong> sectors, bool heldElsewhere = false)
    {
        var node = await StartWorkerAsync(name);
        var root = Path.Combine(_dir, name + "-store");
        _template.CopyTo(root, sectors);
        // Attaching declares the sectors the path already holds in the miner's index (lotus-miner storage attach).
        await node.Store.AttachAsync(root, init: true, canSeal: false, canStore: true);
        foreach (var n in sectors)
        {
            var holders = await node.Store.Index.StorageFindSectorAsync(new SectorId(MinerId, n), SectorFileType.Sealed | SectorFileType.Cache, 0, false, CancellationToken.None);
            if (heldElsewhere)
            {
                Assert.True(holders.Count > 1, $"sector {n} is held by {holders.Count} paths");
            }
            else
            {
                Assert.Single(holders);
            }
        }

        return node;
    }

    /// <summary>Stops an in-process worker (its listener closes: its storage can no longer be read).</summary>
    public async Task StopAsync(WorkerHost worker)
    {
        _workers.Remove(worker);
        await worker.DisposeAsync();
    }

    /// <summary>A kiln-worker process with no storage of its own proving window PoSt (--windowpost, insecure test proofs).</summary>
    public Process StartWindowWorkerProcess(string name)
    {
        var p = KilnProcesses.Start(
            "kiln-worker",
            ["--worker-repo", Path.Combine(_dir, name), "run", "--listen", $"127.0.0.1:{KilnProcesses.FreePort()}", "--name", name,
                "--no-local-storage", "--windowpost", "--insecure-test-proofs", "--post-read-timeout", "10s"],
            new() { ["MINER_API_INFO"] = ApiInfo, ["FIL_PROOFS_PARENT_CACHE"] = Path.Combine(_dir, "parents") });
        _processes.Add(p);
        return p;
    }

    /// <summary>
    /// Waits until the scheduler has exactly these enabled workers, checking as workers connect to or leave
    /// <paramref name="registry"/> (the scheduler follows the same events); returns their ids by host name.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, Guid>> WaitForPoStWorkersAsync(WorkerRegistry registry, PoStScheduler scheduler, params string[] hosts)
    {
        await ClusterFixture.WorkersAsync(
            registry,
            _ => scheduler.WorkerStats().Where(w => w.Enabled).Select(w => w.Hostname).Order().SequenceEqual(hosts.Order()),
            "PoSt workers " + string.Join(", ", hosts) + " enabled");
        return scheduler.WorkerStats().ToDictionary(w => w.Hostname, w => w.Id);
    }

    /// <summary>The miner's chain: the in-process devnet chain (no full node is configured here).</summary>
    public DevnetNode Chain => Miner.Miner.Devnet ?? throw new InvalidOperationException("the miner runs on a full node, not the devnet chain");

    /// <summary>
    /// <paramref name="count"/> sectors pre-sealed into the devnet chain in the current deadline (two to a partition,
    /// as at 2 KiB), and that deadline, once the miner's chain shows every one of them there.
    /// </summary>
    public async Task<(DeadlineInfo Deadline, List<ulong> Numbers)> DeadlineSectorsAsync(int count)
    {
        var deadline = await Miner.Proving.Chain.ProvingDeadlineAsync(MinerId, CancellationToken.None);
        List<ulong> numbers = [.. Enumerable.Range(1, count).Select(i => (ulong)i)];
        Chain.Preseal(numbers, Cid.Parse(BenchSector.CommR), deadline.Index);
        var assigned = await Miner.Proving.Chain.SectorDeadlinesAsync(MinerId, numbers, CancellationToken.None);
        Assert.All(numbers, n => Assert.Equal(deadline.Index, assigned[n]));
        return (deadline, numbers);
    }

    /// <summary>
    /// A proving loop over the miner's own chain, provers, PoSt history, options and sector checker that proves
    /// <paramref name="numbers"/> (the bench sector's copies) as its Proving sectors.
    /// </summary>
    public ProvingLoop Loop(IEnumerable<ulong> numbers)
    {
        var sectors = Sectors(numbers);
        return new ProvingLoop(
            Miner.Proving.Chain,
            _ => Task.FromResult<IReadOnlyList<ProvingSector>>(sectors),
            Miner.Proving.WindowProver,
            Miner.Proving.WinningProver,
            Miner.Proving.History,
            Miner.Miner.Options.Proving,
            MinerId,
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ProvingLoop>.Instance,
            Miner.Proving.Checker);
    }

    public static List<ProvingSector> Sectors(IEnumerable<ulong> numbers) =>
        [.. numbers.Select(n => new ProvingSector(n, RegisteredSealProof.StackedDrg2KiBV1_1, Cid.Parse(BenchSector.CommR)))];

    /// <summary>The miner's Window PoSt of <paramref name="numbers"/> with <paramref name="deadline"/>'s randomness.</summary>
    public async Task<WindowPoStOutcome> ProveWindowAsync(DeadlineInfo deadline, IEnumerable<ulong> numbers, CancellationToken ct) =>
        await Miner.Proving.WindowProver.ProveAsync(MinerId, Sectors(numbers), await Miner.Proving.Chain.WindowPoStRandomnessAsync(MinerId, deadline, ct), ct);

    public async Task<List<JobRecord>> JobsAsync(TaskType task) =>
        [.. (await Miner.Jobs.ListAsync(100, CancellationToken.None)).Where(j => j.Task == task).OrderBy(j => j.Start).ThenBy(j => j.Sector.Number)];

    /// <summary>Checks a merged Window PoSt proof the way a verifier would: against the proven sectors' comm_r and the randomness.</summary>
    public async Task<bool> VerifyWindowAsync(DeadlineInfo deadline, WindowPoStOutcome outcome)
    {
        var randomness = await Miner.Proving.Chain.WindowPoStRandomnessAsync(MinerId, deadline, CancellationToken.None);
        var info = PoStProofInfo.ForSectorSize(2048, PoStType.Window);
        var replicas = outcome.Proven.Select(n => new PublicReplica(info.Proof, CommCid.ParseSealedCid(BenchSector.CommR), n)).ToList();
        var proof = outcome.Proof.ToPoStProofBytes();
        return new InsecureTestProver().VerifyWindowPoSt(PoStRandomness.ToFieldElement(randomness), replicas, [proof], ProverId.FromActorId(MinerId));
    }

    public async Task<bool> VerifyWinningAsync(long epoch, WinningPoStOutcome outcome)
    {
        var randomness = await Miner.Proving.Chain.WinningPoStRandomnessAsync(MinerId, epoch, CancellationToken.None);
        var info = PoStProofInfo.ForSectorSize(2048, PoStType.Winning);
        var replicas = outcome.Challenged.Select(n => new PublicReplica(info.Proof, CommCid.ParseSealedCid(BenchSector.CommR), n)).ToList();
        var proofs = outcome.Proofs.Select(p => p.ToPoStProofBytes()).ToList();
        return new InsecureTestProver().VerifyWinningPoSt(PoStRandomness.ToFieldElement(randomness), replicas, proofs, ProverId.FromActorId(MinerId));
    }

    public async ValueTask DisposeAsync()
    {
        await KilnProcesses.StopAllAsync(_processes);
        foreach (var w in Enumerable.Reverse(_workers))
        {
            await w.DisposeAsync();
        }

        await Miner.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
