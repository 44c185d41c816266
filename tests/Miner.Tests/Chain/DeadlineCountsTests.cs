using System.Text.Json;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Rpc;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Sealing;
using Kiln.Miner.Workers;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// The deadline table of the dashboard and of <c>proving deadlines</c> (both read <see cref="KilnMinerApi"/>) counts each
/// proving sector in the deadline the chain assigns it, over the chain's deadlines per period, not by number mod 48.
/// </summary>
public sealed class DeadlineCountsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-deadline-counts-").FullName;
    private readonly TimerWatchingTimeProvider _time = new();
    private readonly AssigningChain _chain = new();
    private SqlSectorIndex _index = null!;
    private WorkStore _works = null!;
    private JobTracker _jobs = null!;
    private SectorPipeline _pipeline = null!;
    private ProvingService _proving = null!;

    public async Task InitializeAsync()
    {
        var options = new MinerOptions { HoldSectorsAt = SectorState.Packing };
        _index = await SqlSectorIndex.OpenSqliteAsync(Path.Combine(_dir, "index.sqlite"), _time);
        _works = await WorkStore.OpenAsync(Path.Combine(_dir, "works.sqlite"), _time, CancellationToken.None);
        _jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = Path.Combine(_dir, "jobs.sqlite") }, _time, CancellationToken.None);
        var workers = new WorkerRegistry(_ => throw new InvalidOperationException("no workers in this test"), new WorkerRegistryOptions(), _time, NullLogger<WorkerRegistry>.Instance);
        var sealing = new SealingManager(new SealingScheduler(workers, _time, NullLogger<SealingScheduler>.Instance), new CallRegistry(), _works, _jobs, _index, options.SectorBytes, NullLogger<SealingManager>.Instance);
        _pipeline = await SectorPipeline.OpenAsync(Path.Combine(_dir, "sectors.sqlite"), options, sealing, _chain, null, _time, NullLogger<SectorPipeline>.Instance, CancellationToken.None);
        var store = new LocalStore(_index, new LocalStoreOptions { Urls = ["http://127.0.0.1:1/remote"] }, _time); // never dialled: nothing is proven here
        _proving = await ProvingService.OpenAsync(Path.Combine(_dir, "deadlines.sqlite"), options, workers, _pipeline, store, _index, "token", _jobs, _chain, _time, NullLoggerFactory.Instance, null, CancellationToken.None);

        // Sectors 1 to 4, all proving: the chain puts 1 and 2 in deadline 7, 3 in deadline 30, and 4 in none.
        for (var i = 0; i < 4; i++)
        {
            await _pipeline.PledgeAsync(CancellationToken.None);
        }

        // Each pledge runs on until it is held in Packing; only then is the state ours to rewrite (else a late
        // "Packing" write would undo it).
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _pipeline.WaitIdleAsync(idle.Token);

        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "sectors.sqlite"), Pooling = false }.ToString());
        await db.OpenAsync();
        await using var prove = db.CreateCommand();
        prove.CommandText = "UPDATE sectors SET state = 'Proving', cids = $cids";
        prove.Parameters.AddWithValue("$cids", JsonSerializer.Serialize(new SectorCids(Cid.Parse(BenchSector.CommR), Cid.Parse(BenchSector.CommR)), ApiJson.Options));
        Assert.Equal(4, await prove.ExecuteNonQueryAsync());
    }

    public async Task DisposeAsync()
    {
        await _proving.DisposeAsync();
        await _pipeline.DisposeAsync();
        await _jobs.DisposeAsync();
        await _works.DisposeAsync();
        _index.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Sectors_are_counted_in_the_deadlines_the_chain_assigns_on_a_period_that_does_not_start_at_0()
    {
        var kiln = new KilnMinerApi(_pipeline, _jobs, _proving);

        var deadlines = await kiln.KilnProvingDeadlinesAsync(CancellationToken.None);
        var info = await kiln.KilnProvingInfoAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 48), deadlines.Select(d => d.Index));
        Assert.Equal(
            new Dictionary<int, int> { [7] = 2, [30] = 1 },
            deadlines.Where(d => d.Sectors > 0).ToDictionary(d => d.Index, d => d.Sectors));
        Assert.Equal((1300L, 1234L, 1, 1294L, 4), (info.CurrentEpoch, info.PeriodStart, info.DeadlineIndex, info.DeadlineOpen, info.ProvingSectors));
        Assert.Equal(2, (await kiln.KilnProvingDeadlineAsync(7, CancellationToken.None)).Sectors);
        Assert.Equal(0, (await kiln.KilnProvingDeadlineAsync(1, CancellationToken.None)).Sectors); // where number mod 48 would put sector 1
        Assert.Equal([1UL, 2, 3, 4], _chain.Asked);
    }

    [Fact]
    public async Task The_deadlines_per_period_are_the_chain_s()
    {
        _chain.PeriodDeadlines = 42;
        var kiln = new KilnMinerApi(_pipeline, _jobs, _proving);

        Assert.Equal(42, (await kiln.KilnProvingDeadlinesAsync(CancellationToken.None)).Count);
        var e = await Assert.ThrowsAsync<RpcException>(() => kiln.KilnProvingDeadlineAsync(42, CancellationToken.None));
        Assert.Equal("deadline index 42 out of range: a proving period has deadlines 0 to 41", e.Message);
    }

    /// <summary>A chain at epoch 1300 of a period that started at 1234, with its own deadline assignment.</summary>
    private sealed class AssigningChain : ProvingOnlyChain, IChain
    {
        public int PeriodDeadlines { get; set; } = DeadlineInfo.PeriodDeadlines;

        public IReadOnlyList<ulong> Asked { get; private set; } = [];

        public Task<long> HeadEpochAsync(CancellationToken cancellationToken) => Task.FromResult(1300L);

        public Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ChainRandomness> SealTicketAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ChainRandomness> InteractiveSeedAsync(ulong minerId, ulong sectorNumber, long preCommitEpoch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken) =>
            Task.FromResult(DeadlineInfo.At(1300, periodOffset: 1234) with { WPoStPeriodDeadlines = PeriodDeadlines });

        public Task<IReadOnlyList<ulong>> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyDictionary<ulong, int>> SectorDeadlinesAsync(ulong minerId, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken)
        {
            Asked = [.. sectors.Order()];
            var assignment = new Dictionary<ulong, int> { [1] = 7, [2] = 7, [3] = 30 };
            return Task.FromResult<IReadOnlyDictionary<ulong, int>>(sectors.Where(assignment.ContainsKey).ToDictionary(n => n, n => assignment[n]));
        }

        public Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
