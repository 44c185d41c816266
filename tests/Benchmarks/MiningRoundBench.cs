using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Kiln.Api.Types;
using Kiln.Miner.Chain;
using Kiln.Miner.Mining;
using Kiln.Miner.Proving;
using Kiln.Miner.Workers;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Snark;
using Kiln.Stores.PoSt;
using Kiln.Testing.Chain;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- mining [ROUNDS] [POLL_MS]</c>: the mining loop against the
/// Lotus stand-in over loopback JSON-RPC, from a new head (the stand-in's head advanced) to the node receiving
/// <c>SyncSubmitBlock</c>, for ROUNDS (default 1000) rounds; the miner polls the head every POLL_MS (default 10), and each new head comes at a random phase of it.
/// Local proving with the insecure test prover over 2 KiB sectors, as the PoSt benchmarks do: the SNARK of a real
/// Winning PoSt comes on top. Prints p50/p90/p99/max of the won rounds.
/// </summary>
public static class MiningRoundBench
{
    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var poll = TimeSpan.FromMilliseconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
        await using var node = await LotusNodeStandIn.StartAsync(startHeight: 1000, network: 't');
        ProvingSector[] sectors = [.. Enumerable.Range(1, 8).Select(n => Sector((ulong)n))];
        node.MiningSectors = [.. sectors.Select(s => (s.Number, (long)s.SealProof, s.SealedCid.ToString()))];
        node.MinerPower = 1;
        node.NetworkPower = 1; // λ = 5: about 99.3% of rounds won
        var chain = FullNodeChain.Connect(node.ApiInfo, 't', poll, TimeProvider.System, NullLogger<FullNodeChain>.Instance);
        var prover = new WinningPoStProver(
            new PoStScheduler(WorkerKind.WinningPoSt, TimeProvider.System, NullLogger<PoStScheduler>.Instance),
            new InsecureTestProver(),
            new Vanillas(),
            new ProvingOptions(),
            NullLogger<WinningPoStProver>.Instance);
        var loop = new MiningLoop(chain, prover, new MiningOptions { PropagationDelay = TimeSpan.Zero, MineNullRounds = false }, node.MinerId, TimeProvider.System, NullLogger<MiningLoop>.Instance);

        var headAt = new Dictionary<long, long>();
        var latencies = new List<double>();
        var submitted = new SemaphoreSlim(0);
        var roundDone = new SemaphoreSlim(0);
        long lost = 0, failed = 0;
        node.BlockSubmitted += b =>
        {
            var now = Stopwatch.GetTimestamp();
            lock (headAt)
            {
                if (headAt.TryGetValue(b.Height - 1, out var at))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                }
            }
        };
        loop.RoundCompleted += r =>
        {
            if (r.Outcome == MiningRoundOutcome.Lost)
            {
                Interlocked.Increment(ref lost);
            }
            else if (r.Outcome != MiningRoundOutcome.Won)
            {
                Interlocked.Increment(ref failed);
                Console.Error.WriteLine($"round {r.Round}: {r.Outcome}: {r.Error}");
            }

            roundDone.Release();
        };

        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(poll, stop.Token);
        await roundDone.WaitAsync(); // the round on the start head (not measured)
        for (var i = 0; i < rounds; i++)
        {
            // The head comes at any phase of the miner's polling, as a real chain's does.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * 2 * poll.TotalMilliseconds));
            lock (headAt)
            {
                headAt[node.Height + 1] = Stopwatch.GetTimestamp();
            }

            await node.MineAsync();

            await roundDone.WaitAsync();
        }

        await stop.CancelAsync();
        await run;
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Console.WriteLine(FormattableString.Invariant($"mining rounds: {rounds}, won {latencies.Count}, lost {lost}, failed {failed}; head poll {poll.TotalMilliseconds} ms"));
        Console.WriteLine(FormattableString.Invariant($"new head -> SyncSubmitBlock (ms): p50 {P(0.50):F1}  p90 {P(0.90):F1}  p99 {P(0.99):F1}  max {latencies[^1]:F1}  mean {latencies.Average():F1}"));
    }

    private static ProvingSector Sector(ulong number)
    {
        var commR = SHA256.HashData(BitConverter.GetBytes(number));
        commR[31] &= 0x3f;
        return new ProvingSector(number, RegisteredSealProof.StackedDrg2KiBV1_1, ProofsMapping.SealedCid(commR));
    }

    /// <summary>What the insecure prover reads of a vanilla proof: sector id and comm_r, at the real length.</summary>
    private sealed class Vanillas : IVanillaSource
    {
        public Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken)
        {
            var bytes = new byte[PoStProofInfo.Get(proofType).VanillaProofByteLength];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, sector.SectorNumber);
            sector.SealedCID.ToSealedCommitment().CopyTo(bytes, 8);
            return Task.FromResult(bytes);
        }
    }
}
