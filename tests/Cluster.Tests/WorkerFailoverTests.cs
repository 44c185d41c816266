using System.Net;
using Kiln.Api;
using Kiln.Api.Auth;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner;
using Kiln.Miner.Calls;
using Kiln.Miner.Repo;
using Kiln.Proofs;
using Kiln.Proofs.Sdr;
using Kiln.Worker.Run;

namespace Kiln.Cluster.Tests;

/// <summary>
/// A kiln-worker given two miner processes (MINER_API_INFO as a list) registers with the first; when that one is
/// gone it registers with the second as it did at start (storage declared, WorkerConnect), a call already running
/// delivers its result there, and the second's calls reach the worker. The two miners keep separate repos here: the
/// worker's side does not depend on their sharing state.
/// </summary>
public sealed class WorkerFailoverTests : IAsyncLifetime
{
    private const string CcPieceCid = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SectorRef Running = new(new SectorId(1000, 1), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly SectorRef Later = new(new SectorId(1000, 2), RegisteredSealProof.StackedDrg2KiBV1_1);

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-failover-").FullName;
    private MinerHost _first = null!;
    private MinerHost _second = null!;
    private bool _firstStopped;
    private WorkerHost? _worker;

    public async Task InitializeAsync()
    {
        _first = await StartMinerAsync("miner-a");
        _second = await StartMinerAsync("miner-b");
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        if (!_firstStopped)
        {
            await _first.DisposeAsync();
        }

        await _second.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_worker_moves_to_the_second_miner_when_the_first_is_gone_and_its_running_call_returns_there()
    {
        var (first, second) = (Address(_first), Address(_second));
        _worker = await WorkerHost.StartAsync(
            new WorkerOptions
            {
                Listen = "127.0.0.1:0",
                Name = "failover-worker",
                RepoPath = Path.Combine(_dir, "worker"),
                SessionPollInterval = ClusterFixture.Fast,
                ReturnRetryInterval = ClusterFixture.Fast,
                HealthInterval = TimeSpan.FromSeconds(1),
                Snark = new Kiln.Proofs.Snark.SnarkProverOptions { UseInsecureTestProofs = true },
            },
            Kiln.Worker.Cli.RunCommand.ParseMinerApiInfos(first + "," + second, "MINER_API_INFO"),
            new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") },
            _ => null,
            TimeProvider.System,
            None);
        var session = _worker.Api.ProcessSession;
        Assert.NotNull(_first.Workers.Find(session));
        Assert.Empty(_second.Workers.Workers);
        Assert.Equal(0, _worker.Miners.Current);
        var moved = new TaskCompletionSource<(string From, string To, string Why)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _worker.Miners.Moved += (from, to, why) => moved.TrySetResult((from, to, why));

        // A call under way when the first miner goes: its data arrives only after the worker moved.
        var data = new GatedZeroStream(2032);
        var ap = await _worker.Api.AddPieceAsync(Running, [], 2032, data, None);
        await data.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await _first.DisposeAsync();
        _firstStopped = true;

        var (movedFrom, movedTo, why) = await moved.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((ApiInfo.Parse(first).Address, ApiInfo.Parse(second).Address), (movedFrom, movedTo));
        Assert.StartsWith("checking its session failed", why, StringComparison.Ordinal);
        Assert.Equal(1, _worker.Miners.Current);

        // The running call's result goes to the miner the worker is connected to now. As at start (Lotus runCmd waits
        // for WaitQuiet before WorkerConnect), the worker registers once no call is running.
        data.Open();
        var result = await WaitAsync(_second.Api.Calls, ap);
        Assert.Null(result.Error);
        Assert.Equal(CcPieceCid, Assert.IsType<PieceInfo>(result.Value).PieceCID.ToString());
        await ClusterFixture.WorkersAsync(_second.Workers, _ => _second.Workers.Find(session) is not null, "the worker to register with the second miner");
        // Registered as at start: its storage path is declared in the second miner's index, with the running call's file.
        var path = Assert.Single(_worker.Store.Local().Keys);
        Assert.Equal(path, (await Client(_second).StorageInfoAsync(path, None)).ID);
        Assert.NotEmpty(await Client(_second).StorageFindSectorAsync(Running.ID, SectorFileType.Unsealed, 2048, false, None));

        // A task the second miner issues afterwards runs on the worker and its Return reaches the second miner.
        var handle = _second.Workers.Find(session)!.Api;
        var later = await handle.AddPieceAsync(Later, [], 2032, new NullReaderStream(2032), None);
        var laterResult = await WaitAsync(_second.Api.Calls, later);
        Assert.Null(laterResult.Error);
        Assert.Equal(2048UL, Assert.IsType<PieceInfo>(laterResult.Value).Size);
        Assert.NotEmpty(await Client(_second).StorageFindSectorAsync(Later.ID, SectorFileType.Unsealed, 2048, false, None));
    }

    private async Task<MinerHost> StartMinerAsync(string name) =>
        await MinerHost.StartAsync(MinerRepo.Open(Path.Combine(_dir, name)), new MinerOptions(), new IPEndPoint(IPAddress.Loopback, 0), TimeProvider.System, None);

    private static string Address(MinerHost miner) => $"{miner.Repo.ReadToken()}:/ip4/127.0.0.1/tcp/{miner.RpcUrl.Port}/http";

    private static IMinerStorageApi Client(MinerHost miner) =>
        RpcClient.Create(miner.RpcUrl, new RpcClientOptions { Token = miner.Repo.ReadToken() }).CreateProxy<IMinerStorageApi>();

    private static async Task<CallResult> WaitAsync(CallRegistry calls, CallId id) =>
        await calls.WaitAsync(id, None).WaitAsync(TimeSpan.FromSeconds(60));
}
