using System.Buffers.Binary;
using System.Security.Cryptography;
using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores.PoSt;
using Kiln.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Proving;

/// <summary>Fake PoSt workers that prove like a real one would with the insecure test prover, and the pieces to build provers.</summary>
internal static class PoStFixture
{
    public const ulong Miner = 1000;

    public static readonly InsecureTestProver Prover = new();

    public static ProvingSector Sector(ulong number)
    {
        var commR = SHA256.HashData(BitConverter.GetBytes(number));
        commR[31] &= 0x3f;
        return new ProvingSector(number, RegisteredSealProof.StackedDrg2KiBV1_1, ProofsMapping.SealedCid(commR));
    }

    public static byte[] Randomness(byte seed) => Enumerable.Repeat(seed, 32).ToArray();

    /// <summary>A "vanilla proof" the insecure prover accepts: sector id and comm_r, padded to the real length.</summary>
    public static byte[] Vanilla(RegisteredPoStProof proof, PostSectorChallenge s)
    {
        var bytes = new byte[PoStProofInfo.Get(proof).VanillaProofByteLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, s.SectorNumber);
        s.SealedCID.ToSealedCommitment().CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>What a window PoSt worker answers for one partition.</summary>
    public static WindowPoStResult Partition(RegisteredPoStProof proof, ulong miner, IReadOnlyList<PostSectorChallenge> sectors, int index, byte[] randomness)
    {
        var r = Prover.GenerateSingleWindowPoStWithVanilla(proof, randomness, ProverId.FromActorId(miner), [.. sectors.Select(s => Vanilla(proof, s))], index);
        return new WindowPoStResult(new PoStProof(proof, r.PartitionProof.Proof), null);
    }

    public static IReadOnlyList<PoStProof> Winning(RegisteredPoStProof proof, ulong miner, IReadOnlyList<PostSectorChallenge> sectors, byte[] randomness) =>
        [.. Prover.GenerateWinningPoStWithVanilla(proof, randomness, ProverId.FromActorId(miner), [.. sectors.Select(s => Vanilla(proof, s))])
            .Select(p => new PoStProof(proof, p.Proof))];

    public static FakeWorker WindowWorker(string host, Func<FakeWorker, int, Task>? before = null)
    {
        var w = new FakeWorker { Hostname = host, Tasks = [TaskType.GenerateWindowPoSt] };
        w.WindowPoSt = async (proof, miner, sectors, index, rand, ct) =>
        {
            if (before != null)
            {
                await before(w, index);
            }

            return Partition(proof, miner, sectors, index, rand);
        };
        return w;
    }

    /// <summary>
    /// A gate for two window workers: each partition waits until two have started (one per worker), then the one on
    /// <paramref name="flakyHost"/> fails as a dropped connection does.
    /// </summary>
    public static Func<FakeWorker, int, Task> BothStartThenDrops(string flakyHost, TimeSpan patience)
    {
        var entered = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return async (w, _) =>
        {
            if (Interlocked.Increment(ref entered) >= 2)
            {
                both.TrySetResult();
            }

            await both.Task.WaitAsync(patience);
            if (w.Hostname == flakyHost)
            {
                throw new HttpRequestException("connection reset");
            }
        };
    }

    public static WorkerHandle Handle(FakeWorker w) =>
        new(w.Session, "http://" + w.Hostname + "/rpc/v0", w, new WorkerInfo(w.Hostname, false, new WorkerResources(w.Memory, 0, 0, 0, w.Cpus, [], ResourceTable.Default)), w.Tasks, DateTimeOffset.UnixEpoch);

    public static PoStScheduler Scheduler(WorkerKind kind, params FakeWorker[] workers)
    {
        var s = new PoStScheduler(kind, TimeProvider.System, NullLogger<PoStScheduler>.Instance);
        foreach (var w in workers)
        {
            Assert.True(s.AddWorker(Handle(w)));
        }

        return s;
    }

    public static WindowPoStProver Window(PoStScheduler scheduler, ProvingOptions? options = null, IVanillaSource? vanillas = null, Kiln.Miner.Jobs.JobTracker? jobs = null, PoStHistory? history = null) =>
        new(scheduler, Prover, vanillas ?? new NoVanillas(), options ?? new ProvingOptions(), TimeProvider.System, NullLogger<WindowPoStProver>.Instance, jobs, null, history);

    public static WinningPoStProver Winning(PoStScheduler scheduler, IVanillaSource? vanillas = null) =>
        new(scheduler, Prover, vanillas ?? new NoVanillas(), new ProvingOptions(), NullLogger<WinningPoStProver>.Instance);

    internal sealed class NoVanillas : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this test proves on workers only");
    }
}
