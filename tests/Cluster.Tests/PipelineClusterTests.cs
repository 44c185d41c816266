using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Chain.Devnet;
using Kiln.Miner.Jobs;
using Kiln.Miner.Sealing;

namespace Kiln.Cluster.Tests;

/// <summary>kiln-miner's pipeline drives pledged CC sectors through AP and PC1 on a kiln-worker.</summary>
public sealed class PipelineClusterTests : IAsyncLifetime
{
    private readonly ClusterFixture _cluster = new();

    public async Task InitializeAsync()
    {
        await _cluster.StartMinerAsync();
        await _cluster.StartWorkerAsync();
        await ClusterFixture.WorkersAsync(_cluster.Miner.Workers, ws => ws.Count == 1, "the worker registers");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Pledged_sectors_are_sealed_to_proving_and_every_task_is_in_the_job_tracker()
    {
        var first = await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        var second = await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        Assert.Equal([1UL, 2UL], new[] { first.Number, second.Number });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _cluster.Miner.Pipeline.WaitIdleAsync(timeout.Token);

        var sectors = await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None);
        Assert.All(sectors, s => Assert.True(s.State == SectorState.Proving, $"sector {s.Number}: {s.State} {s.Error}"));
        Assert.All(sectors, s => Assert.StartsWith("bagboea4b5abc", s.Cids!.Value.Sealed.ToString(), StringComparison.Ordinal));
        Assert.All(sectors, s => Assert.Equal(32, s.Seed!.Length));
        // Ticket and seed come from the miner's one chain, the devnet here, with the epochs they were drawn at.
        var devnet = Assert.IsType<DevnetNode>(_cluster.Miner.Miner.Devnet);
        var entropy = FullNodeChain.IdAddressCbor(1000);
        Assert.All(sectors, s => Assert.NotNull(s.TicketEpoch));
        foreach (var s in sectors)
        {
            Assert.Equal(await devnet.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, s.TicketEpoch!.Value, entropy, [], CancellationToken.None), s.Ticket);
            Assert.Equal(await devnet.StateGetRandomnessFromBeaconAsync(DomainSeparationTag.InteractiveSealChallengeSeed, s.SeedEpoch!.Value, entropy, [], CancellationToken.None), s.Seed);
        }

        // The seed epoch is the landed pre-commit's epoch plus the network's PreCommitChallengeDelay (10 on the devnet,
        // as Lotus's 2k build), and every sector reached Proving only once the chain held it active, where the chain put it.
        var delay = (await devnet.StateGetNetworkParamsAsync(CancellationToken.None)).PreCommitChallengeDelay;
        Assert.Equal(10, delay);
        Assert.All(sectors, s => Assert.Equal(s.PreCommitEpoch + delay, s.SeedEpoch));
        var miner = devnet.MinerAddress;
        foreach (var s in sectors)
        {
            var onChain = await devnet.StateSectorGetInfoAsync(miner, s.Number, [], CancellationToken.None);
            Assert.NotNull(onChain);
            Assert.Equal(s.Cids!.Value.Sealed, onChain.SealedCID);
            Assert.Equal(s.ActivationEpoch, onChain.Activation);
            Assert.Equal(s.Expiration, onChain.Expiration);
            var location = await devnet.StateSectorPartitionAsync(miner, s.Number, [], CancellationToken.None);
            Assert.NotNull(location);
            Assert.Equal((int)location.Deadline, s.Deadline);
            Assert.Equal((int)location.Partition, s.Partition);
            Assert.Equal(ExitCodes.Ok, s.PreCommitExitCode);
            Assert.Equal(ExitCodes.Ok, s.CommitExitCode);
            Assert.NotNull(s.PreCommitMessage);
            Assert.NotNull(s.CommitMessage);
        }
        Assert.NotEqual(sectors[0].Cids!.Value.Sealed, sectors[1].Cids!.Value.Sealed);
        Assert.All(sectors, s => Assert.Equal(192, s.PoRepProof!.Length));
        var verifier = new Kiln.Proofs.Snark.InsecureTestProver();
        Assert.All(sectors, s => Assert.True(verifier.VerifySeal(
            s.Proof,
            s.Cids!.Value.Sealed.ToSealedCommitment(),
            s.Cids!.Value.Unsealed.ToUnsealedCommitment(),
            Kiln.Proofs.Sdr.ProverId.FromActorId(1000),
            s.Ticket,
            s.Seed,
            s.Number,
            s.PoRepProof)));
        Assert.All(sectors, s => Assert.Equal("baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy", Assert.Single(s.Pieces).PieceCID.ToString()));
        Assert.All(sectors, s => Assert.NotNull(s.PreCommit1Out));

        var jobs = await _cluster.Miner.Jobs.ListAsync(100, CancellationToken.None);
        foreach (var n in new[] { 1UL, 2UL })
        {
            Assert.Contains(jobs, j => j.Sector.Number == n && j.Task == TaskType.AddPiece && j.Outcome == JobOutcome.Succeeded);
            Assert.Contains(jobs, j => j.Sector.Number == n && j.Task == TaskType.PreCommit1 && j.Outcome == JobOutcome.Succeeded && j.Duration > TimeSpan.Zero);
            foreach (var task in new[] { TaskType.PreCommit2, TaskType.Commit1, TaskType.Commit2, TaskType.Finalize })
            {
                Assert.Contains(jobs, j => j.Sector.Number == n && j.Task == task && j.Outcome == JobOutcome.Succeeded);
            }
            var found = await _cluster.Miner.Api.StorageFindSectorAsync(new SectorId(1000, n), SectorFileType.Cache, 2048, false, CancellationToken.None);
            Assert.Single(found);
        }
    }

    [Fact]
    public async Task A_restarted_miner_resumes_its_sectors()
    {
        await _cluster.Miner.Pipeline.PledgeAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _cluster.Miner.Pipeline.WaitIdleAsync(timeout.Token);
        var before = _cluster.Miner.Miner.Devnet!;
        before.Preseal([100], Cid.Parse(Kiln.Testing.BenchSector.CommR), deadline: 9);
        var head = before.CurrentEpoch;
        await _cluster.StopMinerAsync();
        await _cluster.StartMinerAsync();

        var sectors = await _cluster.Miner.Pipeline.ListAsync(CancellationToken.None);
        Assert.Equal(SectorState.Proving, Assert.Single(sectors).State);
        Assert.NotEmpty(await _cluster.Miner.Jobs.ListAsync(10, CancellationToken.None));
        // The devnet chain lives in the miner repo: the same genesis, epochs counting on, its sectors where they were.
        var after = _cluster.Miner.Miner.Devnet!;
        Assert.Equal(before.Genesis, after.Genesis);
        Assert.True(after.CurrentEpoch >= head, $"head {after.CurrentEpoch} after a restart at {head}");
        Assert.Equal(new Dictionary<ulong, int> { [100] = 9 }, await _cluster.Miner.Proving.Chain.SectorDeadlinesAsync(1000, [100], CancellationToken.None));
    }
}
