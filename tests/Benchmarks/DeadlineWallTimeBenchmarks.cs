using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kiln.Api;
using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores.PoSt;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Benchmarks;

/// <summary>
/// Wall time of one Window PoSt deadline of <see cref="Partitions"/> partitions (2 KiB sectors, 2 per partition)
/// proven by <see cref="Workers"/> window workers through the miner's whole path: challenges derived, partitions
/// fanned out through the window <see cref="PoStScheduler"/> (one partition per worker at a time, as for one GPU),
/// test-proof partition proofs merged and verified. Each worker's partition takes <see cref="PartitionMs"/>
/// (the SNARK a GPU worker would spend) plus the real insecure-test proving. The target is
/// wall ≤ 1.1 × ceil(P/W) × the wall of P=1, W=1.
/// </summary>
[MemoryDiagnoser]
public class DeadlineWallTimeBenchmarks
{
    private const ulong Miner = 1000;
    private static readonly InsecureTestProver Prover = new();
    private WindowPoStProver _prover = null!;
    private ProvingSector[] _sectors = [];

    public const int PartitionMs = 100;

    [ParamsSource(nameof(Shapes))]
    public Shape Case { get; set; } = new(1, 1);

    public int Partitions => Case.Partitions;

    public int Workers => Case.Workers;

    public static IEnumerable<Shape> Shapes => [new(1, 1), new(4, 2), new(5, 2), new(8, 4), new(16, 4)];

    [GlobalSetup]
    public void Setup()
    {
        var scheduler = new PoStScheduler(WorkerKind.WindowPoSt, TimeProvider.System, NullLogger<PoStScheduler>.Instance);
        for (var i = 0; i < Workers; i++)
        {
            var api = SlowWindowWorker.Create();
            var handle = new WorkerHandle(Guid.NewGuid(), $"http://wdpost{i}/rpc/v0", api, new WorkerInfo($"wdpost{i}", false, new WorkerResources(64UL << 30, 0, 0, 0, 16, [], ResourceTable.Default)), new HashSet<TaskType> { TaskType.GenerateWindowPoSt }, DateTimeOffset.UnixEpoch);
            scheduler.AddWorker(handle);
        }

        _prover = new WindowPoStProver(scheduler, Prover, new NoVanillas(), new ProvingOptions(), TimeProvider.System, NullLogger<WindowPoStProver>.Instance);
        _sectors = [.. Enumerable.Range(1, Partitions * 2).Select(n => Sector((ulong)n))];
    }

    [Benchmark]
    public Task<WindowPoStOutcome> Deadline() => _prover.ProveAsync(Miner, _sectors, new byte[32], CancellationToken.None);

    private static ProvingSector Sector(ulong number)
    {
        var commR = SHA256.HashData(BitConverter.GetBytes(number));
        commR[31] &= 0x3f;
        return new ProvingSector(number, RegisteredSealProof.StackedDrg2KiBV1_1, ProofsMapping.SealedCid(commR));
    }

    /// <summary>P partitions over W workers, printed as "P/W".</summary>
    public sealed record Shape(int Partitions, int Workers)
    {
        public override string ToString() => $"{Partitions}/{Workers}";
    }

    /// <summary>A window worker whose partition takes <see cref="PartitionMs"/>, then proves with the insecure test prover.</summary>
    public class SlowWindowWorker : DispatchProxy
    {
        public static IWorkerApi Create() => DispatchProxy.Create<IWorkerApi, SlowWindowWorker>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod!.Name switch
        {
            nameof(IWorkerApi.GenerateWindowPoStAsync) => ProveAsync((RegisteredPoStProof)args![0]!, (ulong)args[1]!, (IReadOnlyList<PostSectorChallenge>)args[2]!, (int)args[3]!, (byte[])args[4]!),
            _ => throw new NotSupportedException(targetMethod.Name),
        };

        private static async Task<WindowPoStResult> ProveAsync(RegisteredPoStProof proof, ulong miner, IReadOnlyList<PostSectorChallenge> sectors, int index, byte[] randomness)
        {
            await Task.Delay(PartitionMs);
            var vanillas = sectors.Select(s => Vanilla(proof, s)).ToArray();
            var r = Prover.GenerateSingleWindowPoStWithVanilla(proof, randomness, ProverId.FromActorId(miner), vanillas, index);
            return new WindowPoStResult(new PoStProof(proof, r.PartitionProof.Proof), null);
        }

        /// <summary>What the insecure prover reads of a vanilla proof: sector id and comm_r, at the real length.</summary>
        private static byte[] Vanilla(RegisteredPoStProof proof, PostSectorChallenge s)
        {
            var bytes = new byte[PoStProofInfo.Get(proof).VanillaProofByteLength];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, s.SectorNumber);
            s.SealedCID.ToSealedCommitment().CopyTo(bytes, 8);
            return bytes;
        }
    }

    private sealed class NoVanillas : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("partitions are proven on workers in this benchmark");
    }
}
