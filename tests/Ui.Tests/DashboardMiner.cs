using System.Net;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Repo;
using Kiln.Stores.Local;
using Kiln.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Ui.Tests;

/// <summary>
/// A real kiln-miner on a loopback port with something to show: fake workers that connect over the wire
/// (WorkerConnect, then the registry's Info and Session calls), pledged sectors, job tracker rows, a storage path in the
/// index and a recorded Window PoSt deadline with its timeline.
/// </summary>
public sealed class DashboardMiner : IAsyncDisposable
{
    private readonly string _dir;
    private readonly List<WebApplication> _workers = [];

    private DashboardMiner(string dir, MinerHost host)
    {
        _dir = dir;
        Host = host;
    }

    public MinerHost Host { get; }

    /// <summary>http://127.0.0.1:port, where /ui and /ui/api live.</summary>
    public Uri BaseUrl => new(Host.RpcUrl, "/");

    public string ReadToken => Host.Repo.Secret.CreateToken([Permission.Read]);

    /// <summary>A token with every permission up to admin, as <c>kiln-miner auth api-info --perm admin</c> makes.</summary>
    public string AdminToken => Host.Repo.Secret.CreateToken(Permission.All);

    /// <summary>Sectors put on the devnet chain's deadline <paramref name="deadline"/> that the miner's pipeline does not know (so <c>proving check</c> finds each one bad).</summary>
    public void PresealOnChain(IEnumerable<ulong> numbers, int deadline) =>
        (Host.Miner.Devnet ?? throw new InvalidOperationException("the dashboard's miner runs on the devnet chain")).Preseal(numbers, Cid.Parse(BenchSector.CommR), deadline);

    public static async Task<DashboardMiner> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("kiln-ui-").FullName;
        var host = await MinerHost.StartAsync(
            MinerRepo.Open(Path.Combine(dir, "repo")),
            new MinerOptions(),
            new IPEndPoint(IPAddress.Loopback, 0),
            TimeProvider.System,
            CancellationToken.None,
            LogLevel.Warning);
        return new DashboardMiner(dir, host);
    }

    /// <summary>
    /// Serves a fake worker on loopback and connects it to the miner. Its default tasks (PC2, C2) are ones a CC pledge
    /// reaches only after AddPiece and PC1, so pledged sectors wait in Packing and nothing is ever sent to it; with the
    /// proving loop off, a PoSt worker (WDP) is never sent anything either.
    /// </summary>
    public async Task<Guid> ConnectWorkerAsync(string hostname, params TaskType[] tasks)
    {
        var fake = new FakeWorker { Hostname = hostname, Tasks = tasks.Length > 0 ? [.. tasks] : [TaskType.PreCommit2, TaskType.Commit2], Cpus = 16, Memory = 256UL << 30 };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapLotusRpc("/rpc/v0", RpcServer.Create<IWorkerApi>(fake));
        await app.StartAsync();
        _workers.Add(app);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/rpc/v0";
        await Host.Api.WorkerConnectAsync(url, CancellationToken.None);
        return fake.Session;
    }

    public async Task<ulong> PledgeAsync() => (await Host.Pipeline.PledgeAsync(CancellationToken.None)).Number;

    /// <summary>A job row as the sealing manager writes it; <paramref name="outcome"/> Running leaves it open.</summary>
    public async Task<Guid> RecordJobAsync(string hostname, Guid worker, ulong sector, TaskType task, JobOutcome outcome, string? error = null)
    {
        var call = Guid.NewGuid();
        await Host.Jobs.StartedAsync(call, hostname, worker, new SectorId(MinerOptions.DefaultActorId, sector), task, CancellationToken.None);
        if (outcome != JobOutcome.Running)
        {
            await Host.Jobs.FinishedAsync(call, outcome, error, CancellationToken.None);
        }

        return call;
    }

    /// <summary>A worker's storage path as the index learns it from StorageAttach, with one sealed sector declared.</summary>
    public async Task<StorageId> AttachStorageAsync(string url, ulong sector)
    {
        var id = new StorageId(Guid.NewGuid().ToString());
        var info = new StorageInfo(id, [url], 10, 0, true, true, null, null, null, null, null, null);
        await Host.Api.StorageAttachAsync(info, new FsStat(1L << 40, 1L << 39, 1L << 39, 0, 0, 0), CancellationToken.None);
        await Host.Api.StorageDeclareSectorAsync(id, new SectorId(MinerOptions.DefaultActorId, sector), SectorFileType.Sealed | SectorFileType.Cache, true, CancellationToken.None);
        return id;
    }

    /// <summary>One of the miner's own paths (<c>storage attach --init --store</c>): the dashboard shows its directory and space.</summary>
    public async Task<string> AttachLocalStorageAsync()
    {
        var root = Path.Combine(_dir, "miner-store");
        await LocalStorageMeta.InitializeAsync(root, 10, canSeal: false, canStore: true, 0, null, null, CancellationToken.None);
        await Host.Api.StorageAddLocalAsync(root, CancellationToken.None);
        return root;
    }

    /// <summary>
    /// A Window PoSt of <paramref name="deadline"/> as the prover records it: randomness, challenges, two partitions
    /// (vanilla reads and a SNARK each) on the given PoSt worker, merge, verify and the whole deadline.
    /// </summary>
    public async Task RecordWindowPoStAsync(int deadline, long openEpoch, string hostname, Guid worker)
    {
        var t = TimeProvider.System.GetUtcNow().AddSeconds(-10);
        PoStTimelineEntry Step(string phase, int? partition, string host, Guid by, double from, double to, string? detail = null) =>
            new(PoStTimelineEntry.WindowProof, openEpoch, deadline, phase, partition, host, by, t.AddMilliseconds(from), t.AddMilliseconds(to), 2, "Succeeded", detail);
        await Host.Proving.History.RecordTimelineAsync(
            [
                Step("randomness", null, "miner-host", Guid.Empty, 0, 40),
                Step("challenges", null, "miner-host", Guid.Empty, 40, 120),
                Step("partition", 0, hostname, worker, 120, 2_300),
                Step("vanilla", 0, hostname, worker, 130, 900),
                Step("snark", 0, hostname, worker, 900, 2_280),
                Step("partition", 1, hostname, worker, 130, 2_500),
                Step("vanilla", 1, hostname, worker, 140, 1_000),
                Step("snark", 1, hostname, worker, 1_000, 2_480),
                Step("merge", null, "miner-host", Guid.Empty, 2_500, 2_600),
                Step("verify", null, "miner-host", Guid.Empty, 2_600, 2_900),
                Step("deadline", null, "miner-host", Guid.Empty, 0, 2_900, "2 partitions"),
            ],
            CancellationToken.None);
        await Host.Proving.History.RecordDeadlineAsync(new DeadlineRecord(deadline, openEpoch, 2, 0, 2, t.AddMilliseconds(2_900), "Succeeded", null), CancellationToken.None);
    }

    public async Task RecordFailedDeadlineAsync(int deadline, long openEpoch, string error) =>
        await Host.Proving.History.RecordDeadlineAsync(new DeadlineRecord(deadline, openEpoch, 1, 0, 0, TimeProvider.System.GetUtcNow(), "Failed", error), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
