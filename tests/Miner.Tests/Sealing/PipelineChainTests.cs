using Kiln.Api.Chain;
using System.Threading.Channels;
using Kiln.Api.Types;
using Kiln.Miner.Calls;
using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Sealing;
using Kiln.Miner.Tests.Chain;
using Kiln.Miner.Workers;
using Kiln.Stores.Index;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Sealing;

/// <summary>
/// The sector pipeline takes its ticket and seed from the miner's chain: with a full node configured, from the node (never
/// devnet randomness), and while the node is down the sector waits in its state and retries, losing nothing.
/// </summary>
public sealed class PipelineChainTests : IAsyncLifetime
{
    private static readonly Uri Node = new("http://127.0.0.1:1234/rpc/v1");

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-pipeline-chain-").FullName;
    private readonly TimerWatchingTimeProvider _time = new();
    private readonly ScriptedFullNodeApi _api = new();
    private readonly ListLogger<SectorPipeline> _log = new();
    private readonly Channel<SectorRecord> _changes = Channel.CreateUnbounded<SectorRecord>();
    private readonly MinerOptions _options = new() { HoldSectorsAt = SectorState.Packing };
    private SqlSectorIndex _index = null!;
    private WorkStore _works = null!;
    private JobTracker _jobs = null!;
    private SectorPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        _index = await SqlSectorIndex.OpenSqliteAsync(Path.Combine(_dir, "index.sqlite"), _time);
        _works = await WorkStore.OpenAsync(Path.Combine(_dir, "works.sqlite"), _time, CancellationToken.None);
        _jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = Path.Combine(_dir, "jobs.sqlite") }, _time, CancellationToken.None);
        var workers = new WorkerRegistry(_ => throw new InvalidOperationException("no workers in this test"), new WorkerRegistryOptions(), _time, NullLogger<WorkerRegistry>.Instance);
        var scheduler = new SealingScheduler(workers, _time, NullLogger<SealingScheduler>.Instance);
        var sealing = new SealingManager(scheduler, new CallRegistry(), _works, _jobs, _index, _options.SectorBytes, NullLogger<SealingManager>.Instance);
        var chain = new FullNodeChain(_api, Node, 't', TimeSpan.FromSeconds(1), _time, NullLogger<FullNodeChain>.Instance);
        _pipeline = await SectorPipeline.OpenAsync(Path.Combine(_dir, "sectors.sqlite"), _options, sealing, chain, null, _time, _log, CancellationToken.None);
        _pipeline.Changed += r => _changes.Writer.TryWrite(r);
    }

    public async Task DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        await _jobs.DisposeAsync();
        await _works.DisposeAsync();
        _index.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task While_the_full_node_is_down_the_sector_waits_for_its_ticket_then_seals_with_the_node_ticket()
    {
        var number = (await _pipeline.PledgeAsync(CancellationToken.None)).Number; // held in Packing: no worker is needed
        _api.Down = true;
        _options.HoldSectorsAt = SectorState.PreCommit2;

        await _pipeline.UpdateStateAsync(number, SectorState.PreCommit1, CancellationToken.None);

        // Two attempts fail: the sector keeps its state, shows the temporary error, and waits 5 s then 10 s on the miner's clock.
        await _time.TimerAsync(TimeSpan.FromSeconds(5)).WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(5));
        await _time.TimerAsync(TimeSpan.FromSeconds(10)).WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = await _pipeline.GetAsync(number, CancellationToken.None);
        Assert.Equal((SectorState.PreCommit1, null, null), (waiting!.State, waiting.Ticket, waiting.FailedIn));
        Assert.StartsWith("PreCommit1: temporary error, retrying (attempt 2): full node", waiting.Error, StringComparison.Ordinal);
        var retries = _log.Entries.Where(e => e.Id.Name == "SectorRetrying").Select(e => e.Message).ToList();
        Assert.Equal(2, retries.Count);
        Assert.Equal(
            $"sector {number} PreCommit1: temporary error (attempt 1), retrying in 00:00:05: full node {Node} unreachable: ChainHead: Connection refused (127.0.0.1:1234)",
            retries[0]);

        // The node is back: the ticket is the node's, drawn a finality behind its head, and kept with the sector.
        _api.Down = false;
        _time.Advance(TimeSpan.FromSeconds(10));
        var ticketed = await NextChangeAsync(r => r.Ticket is not null);

        Assert.Equal(_api.Ticket, ticketed.Ticket);
        Assert.Equal((SectorState.PreCommit1, 5000L - 900, (string?)null), (ticketed.State, ticketed.TicketEpoch, ticketed.Error));
        var draw = await _api.Draws.Reader.ReadAsync();
        Assert.Equal(("StateGetRandomnessFromTickets", DomainSeparationTag.SealRandomness, 4100L), (draw.Method, draw.Tag, draw.Epoch));
        Assert.Equal(FullNodeChain.IdAddressCbor(_options.ActorId), draw.Entropy);
    }

    [Fact]
    public async Task The_seed_is_drawn_from_the_node_beacon_once_its_head_is_past_the_pre_commit_challenge_delay()
    {
        var number = (await _pipeline.PledgeAsync(CancellationToken.None)).Number;
        _options.HoldSectorsAt = SectorState.Committing;

        _api.PreCommits[number] = new SectorPreCommitOnChainInfo(
            new SectorPreCommitInfo { SealProof = Kiln.Proofs.RegisteredSealProof.StackedDrg2KiBV1_1, SectorNumber = number, SealedCID = Cid.Parse("bagboea4b5abcaukssco2utgmo6wsg2rpcolapj2dj573bj7ri5s3ye2nhbdh5xdg"), SealRandEpoch = 4100, Expiration = 1_600_000 },
            new TokenAmount(1000),
            5000);
        await _pipeline.UpdateStateAsync(number, SectorState.WaitSeed, CancellationToken.None);

        // The pre-commit landed at 5000 (StateSectorPreCommitInfo); the seed epoch is the network's 150 later.
        var counted = await NextChangeAsync(r => r.PreCommitEpoch is not null);
        Assert.Equal((SectorState.WaitSeed, 5000L), (counted.State, counted.PreCommitEpoch));
        await _time.TimerAsync(TimeSpan.FromSeconds(1)).WaitAsync(TimeSpan.FromSeconds(30)); // polling the head
        Assert.Equal(0, _api.Draws.Reader.Count);

        _api.Height = 5156; // the seed epoch 5150 plus InteractivePoRepConfidence
        _time.Advance(TimeSpan.FromSeconds(1));
        var seeded = await NextChangeAsync(r => r.Seed is not null);

        Assert.Equal(_api.Beacon, seeded.Seed);
        Assert.Equal((SectorState.Committing, 5150L), (seeded.State, seeded.SeedEpoch));
        var draw = await _api.Draws.Reader.ReadAsync();
        Assert.Equal(("StateGetRandomnessFromBeacon", DomainSeparationTag.InteractiveSealChallengeSeed, 5150L), (draw.Method, draw.Tag, draw.Epoch));
    }

    private async Task<SectorRecord> NextChangeAsync(Func<SectorRecord, bool> match)
    {
        while (true)
        {
            var record = await _changes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (match(record))
            {
                return record;
            }
        }
    }
}
