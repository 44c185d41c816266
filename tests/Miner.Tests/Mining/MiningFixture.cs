using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Jobs;
using Kiln.Miner.Mining;
using Kiln.Miner.Proving;
using Kiln.Miner.Tests.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Stores.PoSt;
using Kiln.Testing.Chain;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Mining;

/// <summary>
/// A miner's mining loop against the Lotus stand-in: its chain over the node's JSON-RPC, a winning prover that proves
/// locally (no winning worker) with the insecure test prover from fixture vanilla proofs, and a job tracker.
/// </summary>
internal sealed class MiningFixture : IAsyncDisposable
{
    public static readonly ulong[] SectorNumbers = [1, 2, 3, 4];

    private readonly string _dir;

    private MiningFixture(string dir, LotusNodeStandIn node, FullNodeChain chain, JobTracker jobs, WinningPoStProver prover, MiningLoop loop)
    {
        _dir = dir;
        Node = node;
        Chain = chain;
        Jobs = jobs;
        Prover = prover;
        Loop = loop;
    }

    public LotusNodeStandIn Node { get; }

    public FullNodeChain Chain { get; }

    public JobTracker Jobs { get; }

    public WinningPoStProver Prover { get; }

    public MiningLoop Loop { get; }

    public static IReadOnlyList<ProvingSector> Sectors => [.. SectorNumbers.Select(PoStFixture.Sector)];

    public static async Task<MiningFixture> StartAsync(MiningOptions? options = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var node = await LotusNodeStandIn.StartAsync(startHeight: 1000, network: 't');
        node.MiningSectors = [.. Sectors.Select(s => (s.Number, (long)s.SealProof, s.SealedCid.ToString()))];
        var chain = FullNodeChain.Connect(node.ApiInfo, 't', TimeSpan.FromMilliseconds(20), time, NullLogger<FullNodeChain>.Instance);
        var dir = Directory.CreateTempSubdirectory("kiln-mining-jobs-").FullName;
        var jobs = await JobTracker.OpenAsync(new JobTrackerOptions { DatabasePath = Path.Combine(dir, "jobs.sqlite") }, time, CancellationToken.None);
        var scheduler = new PoStScheduler(WorkerKind.WinningPoSt, time, NullLogger<PoStScheduler>.Instance);
        var prover = new WinningPoStProver(scheduler, PoStFixture.Prover, new FixtureVanillas(), new ProvingOptions(), NullLogger<WinningPoStProver>.Instance, jobs, time);
        var loop = new MiningLoop(chain, prover, options ?? new MiningOptions { PropagationDelay = TimeSpan.Zero, MineNullRounds = false }, node.MinerId, time, NullLogger<MiningLoop>.Instance, jobs);
        return new MiningFixture(dir, node, chain, jobs, prover, loop);
    }

    public async ValueTask DisposeAsync()
    {
        await Jobs.DisposeAsync();
        await Node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Fixture vanilla proofs the insecure prover accepts, read locally (as the miner's own reads would).</summary>
    internal sealed class FixtureVanillas : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            Task.FromResult(PoStFixture.Vanilla(proofType, sector));
    }
}
