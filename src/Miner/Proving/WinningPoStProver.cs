using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores;
using Kiln.Stores.PoSt;

namespace Kiln.Miner.Proving;

/// <summary>
/// The miner's side of Winning PoSt (Lotus Manager.GenerateWinningPoSt): the challenged sector is drawn from the
/// proving set, its challenges derived here, and the proof made by one ready winning PoSt worker (not waiting:
/// none free is an error) — or by the miner itself when no winning worker is enabled and
/// <see cref="ProvingOptions.DisableBuiltinWinningPoSt"/> is off. The proof is verified before it is returned.
/// </summary>
public sealed partial class WinningPoStProver(
    PoStScheduler scheduler,
    ISnarkProver prover,
    IVanillaSource vanillas,
    ProvingOptions options,
    ILogger<WinningPoStProver> logger,
    JobTracker? jobs = null,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly PartitionProver _local = new(vanillas, prover, options.LocalReads(), time, logger);

    public async Task<WinningPoStOutcome> ProveAsync(ulong minerId, IReadOnlyList<ProvingSector> sectorSet, ReadOnlyMemory<byte> randomness, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sectorSet);
        var rand = PoStRandomness.ToFieldElement(randomness.Span);
        var proof = PoStInputs.ProofFor(sectorSet, PoStType.Winning);
        var proverId = ProverId.FromActorId(minerId);
        var set = sectorSet.DistinctBy(s => s.Number).OrderBy(s => s.Number).ToList();
        var picked = PoStChallenges.GenerateWinningPoStSectorChallenge(proof.Proof, rand, (ulong)set.Count, proverId)
            .Select(i => set[(int)i]).DistinctBy(s => s.Number).ToList();
        var challenges = PoStInputs.Challenges(proof, rand, picked);
        var challenged = picked.Where(s => challenges.Any(c => c.SectorNumber == s.Number)).ToList();
        var local = !scheduler.CanSchedule;
        if (local && options.DisableBuiltinWinningPoSt)
        {
            throw new PoStException("no enabled winning PoSt worker and the built-in winning PoSt is disabled", isRetryable: true);
        }

        var first = new SectorId(minerId, challenged[0].Number);
        IReadOnlyList<PoStProof> proofs = local
            ? await PoStJobs.TrackAsync(jobs, PoStJobs.LocalHost, Guid.Empty, first, TaskType.GenerateWinningPoSt, () => ProveLocallyAsync(minerId, proof, rand, challenges, cancellationToken), cancellationToken).ConfigureAwait(false)
            : await ProveOnWorkersAsync(minerId, proof, rand, challenges, first, cancellationToken).ConfigureAwait(false);

        var replicas = challenged.Select(s => PoStInputs.Replica(proof, s)).ToList();
        var bytes = proofs.Select(p => p.ToPoStProofBytes()).ToList();
        if (!prover.VerifyWinningPoSt(rand, replicas, bytes, proverId))
        {
            throw new PoStException($"winning PoSt of sector {challenged[0].Number} does not verify", isRetryable: false);
        }

        Log.Proven(logger, challenged[0].Number, local ? "the miner" : "a winning worker");
        return new WinningPoStOutcome(proofs, [.. challenged.Select(s => s.Number)], local);
    }

    /// <summary>
    /// One ready winning worker; as in Lotus, a worker that cannot be reached (a connection error) passes the round to
    /// the next ready one, until every ready worker has failed. Any other error is the round's error.
    /// </summary>
    private async Task<IReadOnlyList<PoStProof>> ProveOnWorkersAsync(ulong minerId, PoStProofInfo proof, byte[] rand, List<PostSectorChallenge> challenges, SectorId first, CancellationToken cancellationToken)
    {
        var failed = new HashSet<Guid>();
        while (true)
        {
            Guid? attempt = null;
            try
            {
                return await scheduler.ScheduleAsync(
                    primary: false,
                    (w, ct) =>
                    {
                        if (failed.Contains(w.Id))
                        {
                            throw new PoStException($"every ready winning PoSt worker failed ({failed.Count})", isRetryable: true);
                        }

                        attempt = w.Id;
                        return PoStJobs.TrackAsync(jobs, w.Info.Hostname, w.Id, first, TaskType.GenerateWinningPoSt, () => CallAsync(w, proof, minerId, challenges, rand, ct), ct);
                    },
                    cancellationToken,
                    failed).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt is { } id && e is not PoStException && WindowPoStProver.IsRedispatchable(e) && !cancellationToken.IsCancellationRequested)
            {
                Log.MovingOn(logger, id, e.Message);
                failed.Add(id);
            }
        }
    }

    /// <summary>
    /// One GenerateWinningPoSt call, bounded by <see cref="ProvingOptions.WinningPoStTimeout"/> (a <see cref="TimeoutException"/>
    /// passes the round to the next worker; the call itself is cancelled) and by the caller's token.
    /// </summary>
    private async Task<IReadOnlyList<PoStProof>> CallAsync(Workers.WorkerHandle worker, PoStProofInfo proof, ulong minerId, List<PostSectorChallenge> challenges, byte[] rand, CancellationToken ct)
    {
        using var call = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            return await worker.Api.GenerateWinningPoStAsync(proof.Proof, minerId, challenges, rand, call.Token)
                .WaitAsync(options.WinningPoStTimeout, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await call.CancelAsync().ConfigureAwait(false);
            throw new TimeoutException($"winning PoSt worker {worker.Id} on {worker.Info.Hostname} did not answer GenerateWinningPoSt within {options.WinningPoStTimeout}");
        }
    }

    private async Task<IReadOnlyList<PoStProof>> ProveLocallyAsync(ulong minerId, PoStProofInfo proof, byte[] rand, List<PostSectorChallenge> challenges, CancellationToken ct)
    {
        try
        {
            // The same prover a winning PoSt worker runs: every vanilla proof read at once, each within the read timeout.
            return await _local.GenerateWinningPoStAsync(proof.Proof, minerId, challenges, rand, ct).ConfigureAwait(false);
        }
        catch (StoresException e)
        {
            throw new PoStException($"winning PoSt of sector {challenges[0].SectorNumber}: {e.Message}", isRetryable: false, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6017, EventName = "WinningPoStProven", Level = LogLevel.Information, Message = "winning PoSt of sector {Sector} proven by {Where}, verified")]
        public static partial void Proven(ILogger logger, ulong sector, string where);

        [LoggerMessage(EventId = 6018, EventName = "WinningPoStWorkerUnreachable", Level = LogLevel.Warning, Message = "winning PoSt worker {Worker} unreachable, trying the next one: {Reason}")]
        public static partial void MovingOn(ILogger logger, Guid worker, string reason);
    }
}
