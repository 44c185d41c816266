using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Tests.Chain;
using Kiln.Miner.Workers;
using Kiln.Stores.PoSt;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Proving;

public sealed class ProvingLoopTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-proving-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private PoStHistory _deadlines = null!;
    private JobTracker _jobs = null!;

    public async Task InitializeAsync()
    {
        _deadlines = await PoStHistory.OpenAsync(Path.Combine(_dir, "deadlines.sqlite"), _time, CancellationToken.None);
        _jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = Path.Combine(_dir, "jobs.sqlite") }, _time, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _deadlines.DisposeAsync();
        await _jobs.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_deadline_proves_its_own_sectors_and_records_the_outcome_and_the_partition_jobs()
    {
        var worker = PoStFixture.WindowWorker("wdpost-1");
        // The devnet chain holds sectors 1, 49, 97 and 145 in deadline 1 (two partitions of two) and sector 2 in deadline 2.
        var node = Devnet();
        node.Preseal([1, 49, 97, 145], PoStFixture.Sector(1).SealedCid, deadline: 1);
        node.Preseal([2], PoStFixture.Sector(2).SealedCid, deadline: 2);
        _time.Advance(node.EpochDuration * 60); // the head at deadline 1's open, past its challenge epoch
        var loop = Loop(PoStFixture.Scheduler(WorkerKind.WindowPoSt, worker), [.. new ulong[] { 1, 2, 49, 97, 145 }.Select(PoStFixture.Sector)], chain: Over(node));

        var record = await loop.ProveDeadlineAsync(DeadlineInfo.At(60), CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal((1, 4, 0, 2, "Succeeded"), (record.Index, record.Sectors, record.Skipped, record.Partitions, record.Outcome));
        Assert.Equal(record, Assert.Single(await _deadlines.ListDeadlinesAsync(CancellationToken.None)));
        var jobs = await _jobs.ListAsync(10, CancellationToken.None);
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Equal((TaskType.GenerateWindowPoSt, "wdpost-1", worker.Session, JobOutcome.Succeeded), (j.Task, j.HostName, j.WorkerId, j.Outcome)));
        Assert.Null(await loop.ProveDeadlineAsync(DeadlineInfo.At(600), CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_deadline_is_recorded_with_its_error_and_the_winning_round_runs_on_a_worker()
    {
        var winner = new FakeWorker { Hostname = "wnpost", Tasks = [TaskType.GenerateWinningPoSt] };
        winner.WinningPoSt = (proof, miner, sectors, rand, ct) => Task.FromResult(PoStFixture.Winning(proof, miner, sectors, rand));
        var node = Devnet();
        node.Preseal([5], PoStFixture.Sector(5).SealedCid, deadline: 5);
        _time.Advance(node.EpochDuration * 300);
        var loop = Loop(PoStFixture.Scheduler(WorkerKind.WindowPoSt), [PoStFixture.Sector(5)], PoStFixture.Scheduler(WorkerKind.WinningPoSt, winner), new ProvingOptions { DisableBuiltinWindowPoSt = true, SubmitWindowPoSt = false }, Over(node));

        var record = await loop.ProveDeadlineAsync(DeadlineInfo.At(300), CancellationToken.None);
        Assert.Equal("Failed", record!.Outcome);
        Assert.Contains("built-in window PoSt is disabled", record.Error, StringComparison.Ordinal);

        var winning = await loop.WinningRoundAsync(7, CancellationToken.None);
        Assert.Equal([5UL], winning!.Challenged);
        Assert.Equal(7, loop.LastWinning!.Value.Epoch);
        Assert.Equal(TaskType.GenerateWinningPoSt, (await _jobs.ListAsync(1, CancellationToken.None))[0].Task);
    }

    [Fact]
    public async Task On_a_full_node_a_deadline_proves_the_sectors_its_partitions_assign_with_the_node_randomness()
    {
        await using var node = await FakeFullNode.StartAsync();
        node.Results["Filecoin.StateMinerProvingDeadline"] = FullNodeChainTests.RealisticDeadline;
        node.Results["Filecoin.StateMinerPartitions"] = """[{"AllSectors":[2,1,46,1],"FaultySectors":[0],"RecoveringSectors":[0],"LiveSectors":[2,1,46,1],"ActiveSectors":[2,1,46,1]}]""";
        node.Results["Filecoin.StateGetRandomnessFromBeacon"] = System.Text.Json.JsonSerializer.Serialize(Convert.ToBase64String(PoStFixture.Randomness(9)));
        var chain = FullNodeChain.Connect(node.ApiInfo, 't', TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<FullNodeChain>.Instance);
        var worker = PoStFixture.WindowWorker("wdpost-1");
        byte[]? randomness = null;
        worker.WindowPoSt = (proof, miner, sectors, index, rand, ct) =>
        {
            randomness = rand;
            return Task.FromResult(PoStFixture.Partition(proof, miner, sectors, index, rand));
        };
        var loop = Loop(PoStFixture.Scheduler(WorkerKind.WindowPoSt, worker), [.. new ulong[] { 1, 2, 20, 49, 68 }.Select(PoStFixture.Sector)], chain: chain);

        var deadline = await chain.ProvingDeadlineAsync(PoStFixture.Miner, CancellationToken.None);
        var record = await loop.ProveDeadlineAsync(deadline, CancellationToken.None);

        // Sectors 2 and 49 are on chain in this deadline; 20 and 68 (number mod 48 = 20) are not.
        Assert.Equal((20, 4863240L, 2, "Succeeded"), (record!.Index, record.OpenEpoch, record.Sectors, record.Outcome));
        Assert.Equal(PoStFixture.Randomness(9), randomness);
        var rand = Assert.Single(node.ParamsOf("Filecoin.StateGetRandomnessFromBeacon"));
        Assert.Equal((4L, 4863220L), (rand[0].GetInt64(), rand[1].GetInt64()));
    }

    private ProvingLoop Loop(PoStScheduler window, IReadOnlyList<ProvingSector> sectors, PoStScheduler? winning = null, ProvingOptions? options = null, IChain? chain = null)
    {
        options ??= new ProvingOptions { SubmitWindowPoSt = false }; // these tests are about proving; submission has its own
        chain ??= Over(Devnet());
        var vanillas = new NoVanillaSource();
        return new ProvingLoop(
            chain,
            _ => Task.FromResult(sectors),
            new WindowPoStProver(window, PoStFixture.Prover, vanillas, options, _time, NullLogger<WindowPoStProver>.Instance, _jobs),
            new WinningPoStProver(winning ?? PoStFixture.Scheduler(WorkerKind.WinningPoSt), PoStFixture.Prover, vanillas, options, NullLogger<WinningPoStProver>.Instance, _jobs),
            _deadlines,
            options,
            PoStFixture.Miner,
            _time,
            NullLogger<ProvingLoop>.Instance);
    }

    /// <summary>A devnet chain of the fixture's miner on the test clock, its genesis now.</summary>
    private DevnetNode Devnet() =>
        new(new DevnetNodeOptions { MinerId = PoStFixture.Miner }, _time, NullLogger<DevnetNode>.Instance);

    private FullNodeChain Over(DevnetNode node) => ChainFactory.OverDevnet(node, 't', _time, NullLoggerFactory.Instance);

    private sealed class NoVanillaSource : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, Kiln.Proofs.RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            Task.FromException<byte[]>(new IOException($"sector {sector.SectorNumber}: no vanilla proofs in this test"));
    }
}
