using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Kiln.Api;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner;
using Kiln.Miner.Chain;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores.PoSt;
using Kiln.Testing.Chain;
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

    /// <summary>
    /// From deadline open to <c>SubmitWindowedPoSt</c> pushed, through the whole proving loop on a Lotus full node (the
    /// stand-in, mined every <see cref="BlockMs"/> ms): <see cref="ProvingLoop.ProveDeadlineAsync"/> fetches the
    /// deadline's partitions and randomness, proves each message's batch of partitions on the window workers (each
    /// partition <see cref="PartitionMs"/> on a <see cref="SlowWindowWorker"/>) and pushes it. For each shape, P partitions
    /// over W workers, the median over runs of open → first push and open → last push, against the target
    /// ceil(P/W) × one partition + message time, where one partition is the median partition step of P=1/W=1 and the
    /// message time is the rest of P=1/W=1's open → push (randomness, partitions, merge, verify, commit randomness, push).
    /// Run with <c>dotnet run -c Release --project tests/Benchmarks -- deadline-submit [runs]</c>.
    /// </summary>
    public static class SubmitTiming
    {
        /// <summary>The stand-in's block time: a 60-epoch deadline lasts 3 s.</summary>
        public const int BlockMs = 50;

        public static async Task RunAsync(TextWriter output, int runs)
        {
            ArgumentNullException.ThrowIfNull(output);
            ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
            var dir = Directory.CreateTempSubdirectory("kiln-bench-submit-").FullName;
            await using var node = await LotusNodeStandIn.StartAsync(startHeight: 2880, network: 't');
            var miner = new MinerOptions { SectorSize = "2KiB" };
            miner.Proving.FullNodeApiInfo = node.ApiInfo;
            miner.Proving.ChainPollInterval = TimeSpan.FromMilliseconds(10);
            var (chain, _) = ChainFactory.Create(miner, null, TimeProvider.System, NullLoggerFactory.Instance);
            await using var history = await PoStHistory.OpenAsync(Path.Combine(dir, "deadlines.sqlite"), TimeProvider.System, CancellationToken.None);
            ulong next = 1;
            var results = new List<(Shape Shape, double First, double Last, int Messages, double Partition)>();
            try
            {
                foreach (var shape in Shapes)
                {
                    var scheduler = new PoStScheduler(WorkerKind.WindowPoSt, TimeProvider.System, NullLogger<PoStScheduler>.Instance);
                    for (var i = 0; i < shape.Workers; i++)
                    {
                        scheduler.AddWorker(new WorkerHandle(Guid.NewGuid(), $"http://wdpost{i}/rpc/v0", SlowWindowWorker.Create(), new WorkerInfo($"wdpost{i}", false, new WorkerResources(64UL << 30, 0, 0, 0, 16, [], ResourceTable.Default)), new HashSet<TaskType> { TaskType.GenerateWindowPoSt }, DateTimeOffset.UnixEpoch));
                    }

                    var window = new WindowPoStProver(scheduler, Prover, new NoVanillas(), miner.Proving, TimeProvider.System, NullLogger<WindowPoStProver>.Instance);
                    var winning = new WinningPoStProver(new PoStScheduler(WorkerKind.WinningPoSt, TimeProvider.System, NullLogger<PoStScheduler>.Instance), Prover, new NoVanillas(), miner.Proving, NullLogger<WinningPoStProver>.Instance);
                    var firsts = new List<double>();
                    var lasts = new List<double>();
                    var steps = new List<double>();
                    var messages = 0;
                    for (var run = 0; run <= runs; run++) // run 0 warms up
                    {
                        var (first, last, count, partition) = await OneDeadlineAsync(node, chain, history, window, winning, miner, shape, () => next++);
                        if (run > 0)
                        {
                            firsts.Add(first);
                            lasts.Add(last);
                            steps.Add(partition);
                            messages = count;
                        }
                    }

                    results.Add((shape, Median(firsts), Median(lasts), messages, Median(steps)));
                }
            }
            finally
            {
                node.StopMining();
                Directory.Delete(dir, recursive: true);
            }

            var one = results.Single(r => r.Shape == new Shape(1, 1));
            var messageTime = one.Last - one.Partition;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deadline open -> SubmitWindowedPoSt pushed, {runs} runs each (median), partition {PartitionMs} ms on the worker, block time {BlockMs} ms"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one partition (P=1/W=1 partition step) {one.Partition:0.0} ms; message time (the rest of P=1/W=1) {messageTime:0.0} ms"));
            output.WriteLine("P/W    messages  first push ms  last push ms  target ms  ratio");
            foreach (var r in results)
            {
                var target = (Math.Ceiling((double)r.Shape.Partitions / r.Shape.Workers) * one.Partition) + messageTime;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Shape,-6} {r.Messages,8}  {r.First,13:0.0}  {r.Last,12:0.0}  {target,9:0.0}  {r.Last / target:0.00}"));
            }
        }

        /// <summary>
        /// One deadline: the head stopped just before the next deadline opens, P partitions of two fresh sectors put
        /// there, the head moved onto the open epoch and mined on while the loop proves and submits. Times in ms.
        /// </summary>
        private static async Task<(double First, double Last, int Messages, double Partition)> OneDeadlineAsync(
            LotusNodeStandIn node, IChain chain, PoStHistory history, WindowPoStProver window, WinningPoStProver winning, MinerOptions miner, Shape shape, Func<ulong> number)
        {
            node.StopMining();
            var open = ((node.Height / 60) + 1) * 60;
            await node.MineAsync((int)(open - node.Height - 1));
            var deadline = DeadlineInfo.At(open, 0);
            var sectors = new List<ProvingSector>();
            for (var p = 0; p < shape.Partitions; p++)
            {
                var pair = new[] { number(), number() };
                node.Activate((ulong)deadline.Index, (ulong)p, pair);
                sectors.AddRange(pair.Select(Sector));
            }

            var loop = new ProvingLoop(chain, _ => Task.FromResult<IReadOnlyList<ProvingSector>>(sectors), window, winning, history, miner.Proving, miner.ActorId, TimeProvider.System, NullLogger<ProvingLoop>.Instance);
            var pushes = new List<long>();
            void Pushed(PushedMessage m)
            {
                if (m.Method == MinerMethods.SubmitWindowedPoSt)
                {
                    lock (pushes)
                    {
                        pushes.Add(Stopwatch.GetTimestamp());
                    }
                }
            }

            node.MessagePushed += Pushed;
            try
            {
                await node.MineAsync(1);
                var start = Stopwatch.GetTimestamp();
                node.StartMining(TimeSpan.FromMilliseconds(BlockMs));
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var record = await loop.ProveDeadlineAsync(deadline, timeout.Token) ?? throw new InvalidOperationException($"deadline {deadline.Index}: no sectors to prove");
                if (record.Outcome != "Succeeded")
                {
                    throw new InvalidOperationException($"deadline {deadline.Index} of {shape}: {record.Outcome}: {record.Error}");
                }

                var steps = (await history.LatestTimelineAsync(PoStTimelineEntry.WindowProof, deadline.Index, CancellationToken.None)).Where(e => e.Phase == "partition" && e.Epoch == deadline.Open).ToList();
                lock (pushes)
                {
                    return (
                        Stopwatch.GetElapsedTime(start, pushes.Min()).TotalMilliseconds,
                        Stopwatch.GetElapsedTime(start, pushes.Max()).TotalMilliseconds,
                        pushes.Count,
                        Median([.. steps.Select(e => e.Duration.TotalMilliseconds)]));
                }
            }
            finally
            {
                node.MessagePushed -= Pushed;
            }
        }

        private static double Median(IReadOnlyList<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    private sealed class NoVanillas : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("partitions are proven on workers in this benchmark");
    }
}
