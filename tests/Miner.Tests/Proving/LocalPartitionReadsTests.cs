using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Stores.PoSt;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// The miner's built-in window PoSt reads vanilla proofs as a PoSt worker does: at most
/// <see cref="ProvingOptions.ParallelCheckLimit"/> at once over the whole batch, and a sector whose read outlasts
/// <see cref="ProvingOptions.SingleCheckTimeout"/> is skipped instead of holding the deadline.
/// </summary>
public sealed class LocalPartitionReadsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_miners_own_reads_are_bounded_across_all_partitions()
    {
        var sectors = Enumerable.Range(1, 10).Select(n => PoStFixture.Sector((ulong)n)).ToList();
        var source = new GatedVanillaSource(3, PoStFixture.Vanilla);
        var prover = PoStFixture.Window(PoStFixture.Scheduler(WorkerKind.WindowPoSt), new ProvingOptions { ParallelCheckLimit = 3 }, source);

        var proving = prover.ProveAsync(PoStFixture.Miner, sectors, PoStFixture.Randomness(3), CancellationToken.None);
        await source.Reached.WaitAsync(Patience);
        Assert.Equal(3, source.Calls);
        source.Open();
        var outcome = await proving.WaitAsync(Patience);

        Assert.True(outcome.Local);
        Assert.Equal(5, outcome.Partitions);
        Assert.Equal(Enumerable.Range(1, 10).Select(n => (ulong)n), outcome.Proven);
        Assert.Equal(3, source.MostAtOnce);
        Assert.Equal(10, source.Calls);
    }

    [Fact]
    public async Task A_sector_whose_read_outlasts_the_timeout_is_skipped_and_the_rest_proven()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new FuncSource((proof, sector) =>
        {
            if (sector.SectorNumber != 3)
            {
                return Task.FromResult(PoStFixture.Vanilla(proof, sector));
            }

            started.TrySetResult();
            return new TaskCompletionSource<byte[]>().Task; // a hung mount: no answer, no cancellation
        });
        var options = new ProvingOptions { SingleCheckTimeout = TimeSpan.FromMinutes(1) };
        var prover = new WindowPoStProver(PoStFixture.Scheduler(WorkerKind.WindowPoSt), PoStFixture.Prover, source, options, time, NullLogger<WindowPoStProver>.Instance);
        var sectors = Enumerable.Range(1, 4).Select(n => PoStFixture.Sector((ulong)n)).ToList();

        var proving = prover.ProveAsync(PoStFixture.Miner, sectors, PoStFixture.Randomness(9), CancellationToken.None);
        await started.Task.WaitAsync(Patience);
        Assert.False(proving.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));
        var outcome = await proving.WaitAsync(Patience);

        Assert.Equal([3UL], outcome.Skipped);
        Assert.Equal([1UL, 2, 4], outcome.Proven);
        Assert.True(outcome.Local);
    }

    [Fact]
    public void Read_limits_out_of_range_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new ProvingOptions { ParallelCheckLimit = 0 }.Validate());
        Assert.Throws<InvalidOperationException>(() => new ProvingOptions { SingleCheckTimeout = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Equal(32, new ProvingOptions().LocalReads().ParallelReads);
        Assert.Equal(TimeSpan.FromMinutes(10), new ProvingOptions().LocalReads().ReadTimeout);
    }

    private sealed class FuncSource(Func<RegisteredPoStProof, PostSectorChallenge, Task<byte[]>> read) : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            read(proofType, sector);
    }
}
