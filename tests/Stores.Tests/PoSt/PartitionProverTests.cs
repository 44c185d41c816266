using System.Buffers.Binary;
using System.Security.Cryptography;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores.PoSt;
using Kiln.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Stores.Tests.PoSt;

/// <summary>
/// <see cref="PartitionProver"/> over an in-memory <see cref="IVanillaSource"/>: the read throttle shared by every
/// partition, the per-sector timeout, skipped sectors, faulty sectors and the masked randomness.
/// </summary>
public sealed class PartitionProverTests
{
    private const ulong Miner = 1000;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly RegisteredPoStProof Window2KiB = RegisteredPoStProof.StackedDrgWindow2KiBV1_1;
    private static readonly RegisteredPoStProof Winning2KiB = RegisteredPoStProof.StackedDrgWinning2KiBV1;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task At_most_the_configured_reads_run_at_once_across_concurrent_partitions()
    {
        var source = new GatedVanillaSource(3, (_, s) => Vanilla(s.SectorNumber));
        var prover = new PartitionProver(source, new InsecureTestProver(), new PartitionProverOptions { ParallelReads = 3 });

        // Two partitions of five sectors at once: the limit holds for the prover, not per call.
        var first = prover.ReadVanillasAsync(Miner, Window2KiB, [.. Enumerable.Range(1, 5).Select(n => Challenge((ulong)n))], Ct);
        var second = prover.ReadVanillasAsync(Miner, Window2KiB, [.. Enumerable.Range(6, 5).Select(n => Challenge((ulong)n))], Ct);
        await source.Reached.WaitAsync(Patience);
        Assert.Equal(3, source.Calls);
        source.Open();
        var reads = await Task.WhenAll(first, second).WaitAsync(Patience);

        Assert.Equal(3, source.MostAtOnce);
        Assert.Equal(10, source.Calls);
        Assert.All(reads, r => Assert.True(r.Complete));
        Assert.Equal([1UL, 2, 3, 4, 5], reads[0].Proofs.Select(p => BinaryPrimitives.ReadUInt64LittleEndian(p)));
    }

    [Fact]
    public async Task A_read_past_its_timeout_is_skipped_even_when_the_source_ignores_cancellation()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new FuncSource((sector, _) =>
        {
            if (sector.SectorNumber != 2)
            {
                return Task.FromResult(Vanilla(sector.SectorNumber));
            }

            started.TrySetResult();
            return new TaskCompletionSource<byte[]>().Task; // never answers, never observes the token
        });
        var prover = new PartitionProver(source, new InsecureTestProver(), new PartitionProverOptions { ReadTimeout = TimeSpan.FromSeconds(30) }, time);

        var reading = prover.ReadVanillasAsync(Miner, Window2KiB, [Challenge(1), Challenge(2), Challenge(3)], Ct);
        await started.Task.WaitAsync(Patience);
        Assert.False(reading.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(reading.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var read = await reading.WaitAsync(Patience);

        Assert.Equal([2UL], read.Skipped);
        Assert.Null(read.Proofs[1]);
        Assert.Equal(3UL, BinaryPrimitives.ReadUInt64LittleEndian(read.Proofs[2]));
    }

    [Fact]
    public async Task A_partition_with_an_unreadable_sector_answers_its_skipped_sectors_and_no_proof()
    {
        var source = new FuncSource((sector, _) => sector.SectorNumber == 2
            ? Task.FromException<byte[]>(new IOException("sector 2: input/output error"))
            : Task.FromResult(Vanilla(sector.SectorNumber)));
        var prover = new PartitionProver(source, new InsecureTestProver(), new PartitionProverOptions());

        var result = await prover.GenerateWindowPoStAsync(Window2KiB, Miner, [Challenge(1), Challenge(2)], 0, Randomness(0x11), Ct);

        Assert.Same(PartitionProver.EmptyProof, result.PoStProofs);
        Assert.Equal([new SectorId(Miner, 2)], result.Skipped);
        Assert.Equal(1, result.KilnTimings!.VanillasRead);
        Assert.Equal(0, result.KilnTimings.SnarkMicros);
    }

    [Fact]
    public async Task A_partition_proof_is_the_snark_of_its_vanilla_proofs_under_masked_randomness()
    {
        var snark = new InsecureTestProver();
        var prover = new PartitionProver(new FuncSource((sector, _) => Task.FromResult(Vanilla(sector.SectorNumber))), snark, new PartitionProverOptions());
        var randomness = Randomness(0xff);

        var result = await prover.GenerateWindowPoStAsync(Window2KiB, Miner, [Challenge(4), Challenge(5)], 3, randomness, Ct);

        var masked = PoStRandomness.ToFieldElement(randomness);
        Assert.Equal(0x3f, masked[31]);
        var expected = snark.GenerateSingleWindowPoStWithVanilla(Window2KiB, masked, ProverId.FromActorId(Miner), [Vanilla(4), Vanilla(5)], 3);
        Assert.Null(result.Skipped);
        Assert.Equal(Window2KiB, result.PoStProofs.ProofType);
        Assert.Equal(expected.PartitionProof.Proof, result.PoStProofs.ProofBytes);
        Assert.Equal(2, result.KilnTimings!.VanillasRead);
        Assert.Equal(0xff, randomness[31]);
    }

    [Fact]
    public async Task Faulty_vanilla_proofs_are_an_error_naming_their_sectors()
    {
        var snark = new InsecureTestProver((_, _, vanilla) => BinaryPrimitives.ReadUInt64LittleEndian(vanilla) != 5);
        var prover = new PartitionProver(new FuncSource((sector, _) => Task.FromResult(Vanilla(sector.SectorNumber))), snark, new PartitionProverOptions());

        var e = await Assert.ThrowsAsync<PoStFaultySectorsException>(
            () => prover.GenerateWindowPoStAsync(Window2KiB, Miner, [Challenge(4), Challenge(5)], 0, Randomness(1), Ct));

        Assert.Equal([5UL], e.FaultySectors);
    }

    [Fact]
    public async Task Winning_reads_are_not_throttled_and_an_unreadable_sector_is_an_error()
    {
        // The one window read slot is held by a partition whose read hangs; winning PoSt does not wait for it.
        var windowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var prover = new PartitionProver(
            new FuncSource(async (sector, ct) =>
            {
                if (sector.SectorNumber == 1)
                {
                    windowStarted.TrySetResult();
                    await release.Task.WaitAsync(ct);
                }

                return Vanilla(sector.SectorNumber);
            }),
            new InsecureTestProver(),
            new PartitionProverOptions { ParallelReads = 1 });
        var window = prover.ReadVanillasAsync(Miner, Window2KiB, [Challenge(1)], Ct);
        await windowStarted.Task.WaitAsync(Patience);

        var proofs = await prover.GenerateWinningPoStAsync(Winning2KiB, Miner, [Challenge(2)], Randomness(7), Ct).WaitAsync(Patience);

        Assert.Equal(Winning2KiB, Assert.Single(proofs).ProofType);
        Assert.False(window.IsCompleted);
        release.SetResult();
        Assert.True((await window.WaitAsync(Patience)).Complete);

        var failing = new PartitionProver(
            new FuncSource((sector, _) => Task.FromException<byte[]>(new StoresException($"sector {sector.SectorNumber}: no host holds it"))),
            new InsecureTestProver(),
            new PartitionProverOptions());
        var e = await Assert.ThrowsAsync<StoresException>(() => failing.GenerateWinningPoStAsync(Winning2KiB, Miner, [Challenge(9)], Randomness(7), Ct));
        Assert.Contains("sector(s) 9 could not be read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        var source = new FuncSource((sector, _) => Task.FromResult(Vanilla(sector.SectorNumber)));
        Assert.Throws<ArgumentException>(() => new PartitionProver(source, new InsecureTestProver(), new PartitionProverOptions { ParallelReads = 0 }));
        Assert.Throws<ArgumentException>(() => new PartitionProver(source, new InsecureTestProver(), new PartitionProverOptions { ReadTimeout = TimeSpan.FromSeconds(-1) }));
    }

    private static byte[] Randomness(byte value) => Enumerable.Repeat(value, 32).ToArray();

    private static byte[] CommR(ulong sector)
    {
        var commR = SHA256.HashData(BitConverter.GetBytes(sector));
        commR[31] &= 0x3f;
        return commR;
    }

    private static PostSectorChallenge Challenge(ulong sector) =>
        new(RegisteredSealProof.StackedDrg2KiBV1_1, sector, ProofsMapping.SealedCid(CommR(sector)), [1, 2], false);

    /// <summary>What the insecure test prover takes for a vanilla proof: sector number and comm_r, padded to the real length.</summary>
    private static byte[] Vanilla(ulong sector)
    {
        var bytes = new byte[PoStProofInfo.Get(Window2KiB).VanillaProofByteLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, sector);
        CommR(sector).CopyTo(bytes, 8);
        return bytes;
    }

    private sealed class FuncSource(Func<PostSectorChallenge, CancellationToken, Task<byte[]>> read) : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            read(sector, cancellationToken);
    }
}
