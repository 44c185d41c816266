using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Workers;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Snark;
using Kiln.Stores.PoSt;
using Polly;
using Polly.Hedging;
using Polly.Retry;

namespace Kiln.Miner.Proving;

/// <summary>
/// The miner's side of Window PoSt (Lotus Manager.GenerateWindowPoSt): randomness made a field element, sectors
/// deduplicated and sorted, fallback challenges derived here, the batch cut into proof partitions that all run at
/// once on window PoSt workers (a partition whose worker drops the connection or runs past
/// <see cref="ProvingOptions.PartitionTimeout"/> goes to another worker; optionally hedged onto an idle one after
/// <see cref="ProvingOptions.HedgeAfter"/>), skipped sectors dropped and the batch proven again without them,
/// partition proofs merged in partition order and the result verified. With no enabled window worker the miner
/// proves itself unless <see cref="ProvingOptions.DisableBuiltinWindowPoSt"/>.
/// </summary>
public sealed partial class WindowPoStProver(
    PoStScheduler scheduler,
    ISnarkProver prover,
    IVanillaSource vanillas,
    ProvingOptions options,
    TimeProvider time,
    ILogger<WindowPoStProver> logger,
    JobTracker? jobs = null,
    MinerMetrics? metrics = null,
    PoStHistory? history = null)
{
    private static readonly ResiliencePropertyKey<bool> HedgeKey = new("kiln.post.hedge");

    private readonly PartitionProver _local = new(vanillas, prover, options.LocalReads(), time, logger, metrics?.Stores);

    public Task<WindowPoStOutcome> ProveAsync(ulong minerId, IReadOnlyList<ProvingSector> sectors, ReadOnlyMemory<byte> randomness, CancellationToken cancellationToken) =>
        ProveAsync(minerId, sectors, randomness, null, cancellationToken);

    /// <summary>
    /// Proves <paramref name="sectors"/>; with a <paramref name="timeline"/>, every step (challenges, each partition
    /// attempt with its vanilla reads and SNARK, skips, merge, verify, the whole deadline) is recorded in it and
    /// stored in the PoSt history when the proof ends, however it ends.
    /// </summary>
    public async Task<WindowPoStOutcome> ProveAsync(ulong minerId, IReadOnlyList<ProvingSector> sectors, ReadOnlyMemory<byte> randomness, PoStTimeline? timeline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        try
        {
            var outcome = await ProveCoreAsync(minerId, sectors, randomness, timeline, cancellationToken).ConfigureAwait(false);
            timeline?.Local(
                "deadline",
                timeline.Started,
                outcome.Proven.Count,
                detail: $"{outcome.Proven.Count} sectors proven, {outcome.Skipped.Count} skipped, {outcome.Partitions} partitions on {(outcome.Local ? "the miner" : "window workers")}");
            return outcome;
        }
        catch (Exception e) when (timeline is not null)
        {
            timeline.Local("deadline", timeline.Started, sectors.Count, e is OperationCanceledException ? "Aborted" : "Failed", e.Message);
            throw;
        }
        finally
        {
            if (timeline is not null && history is not null)
            {
                await history.RecordTimelineAsync(timeline.Entries, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<WindowPoStOutcome> ProveCoreAsync(ulong minerId, IReadOnlyList<ProvingSector> sectors, ReadOnlyMemory<byte> randomness, PoStTimeline? timeline, CancellationToken cancellationToken)
    {
        var rand = PoStRandomness.ToFieldElement(randomness.Span);
        var proof = PoStInputs.ProofFor(sectors, PoStType.Window);
        var proverId = ProverId.FromActorId(minerId);
        var remaining = sectors.DistinctBy(s => s.Number).OrderBy(s => s.Number).ToList();
        var skipped = new List<ulong>();
        while (true)
        {
            if (remaining.Count == 0)
            {
                throw new PoStException($"all {skipped.Count} sectors were skipped as unreadable ({string.Join(',', skipped)})", isRetryable: false, skipped: skipped);
            }

            var step = time.GetUtcNow();
            var challenges = PoStInputs.Challenges(proof, rand, remaining);
            var partitions = challenges.Chunk(proof.SectorsPerPartition).ToList();
            timeline?.Local("challenges", step, remaining.Count, detail: $"{partitions.Count} partitions of up to {proof.SectorsPerPartition} sectors");
            var local = !scheduler.CanSchedule;
            if (local && options.DisableBuiltinWindowPoSt)
            {
                throw new PoStException("no enabled window PoSt worker and the built-in window PoSt is disabled", isRetryable: true);
            }

            var results = await Task.WhenAll(partitions.Select((p, i) => local
                ? ProveLocallyAsync(minerId, proof, rand, p, i, timeline, cancellationToken)
                : ProveOnWorkerAsync(minerId, proof, rand, p, i, timeline, cancellationToken))).ConfigureAwait(false);

            var skip = results.SelectMany(r => r.Skipped ?? []).Select(s => s.Number).Distinct().ToList();
            if (skip.Count > 0)
            {
                if (!skip.All(n => remaining.Exists(s => s.Number == n)))
                {
                    throw new PoStException($"a worker reported skipped sectors that are not in the batch: {string.Join(',', skip)}", isRetryable: false);
                }

                // Lotus: "some sectors (N) were skipped"; wdpost proves the batch again without them.
                Log.Skipped(logger, skip.Count, string.Join(',', skip));
                timeline?.Local("skip", time.GetUtcNow(), skip.Count, "Skipped", $"sectors {string.Join(',', skip)} skipped: proving the batch again without them");
                skipped.AddRange(skip);
                remaining.RemoveAll(s => skip.Contains(s.Number));
                continue;
            }

            step = time.GetUtcNow();
            var merged = prover.MergeWindowPoStPartitionProofs(proof.Proof, [.. results.Select(r => r.PoStProofs.ProofBytes ?? [])]);
            timeline?.Local("merge", step, remaining.Count, detail: $"{results.Length} partition proofs, {merged.Proof.Length} bytes");
            step = time.GetUtcNow();
            var replicas = remaining.Select(s => PoStInputs.Replica(proof, s)).ToList();
            var verified = prover.VerifyWindowPoSt(rand, replicas, [merged], proverId);
            timeline?.Local("verify", step, remaining.Count, verified ? "Succeeded" : "Failed");
            if (!verified)
            {
                throw new PoStException($"window PoSt of {remaining.Count} sectors does not verify", isRetryable: false);
            }

            Log.Proven(logger, remaining.Count, partitions.Count, local ? "the miner" : "window workers", merged.Proof.Length);
            return new WindowPoStOutcome(new PoStProof(proof.Proof, merged.Proof), [.. remaining.Select(s => s.Number)], skipped, partitions.Count, local);
        }
    }

    /// <summary>Lotus's jsonrpc.RPCConnectionError and a partition past its timeout: try another worker.</summary>
    internal static bool IsRedispatchable(Exception e) =>
        e is HttpRequestException or IOException or SocketException or WebSocketException or TimeoutException
        || (e is PoStException { IsRetryable: true });

    private async Task<WindowPoStResult> ProveOnWorkerAsync(ulong minerId, PoStProofInfo proof, byte[] rand, PostSectorChallenge[] sectors, int index, PoStTimeline? timeline, CancellationToken ct)
    {
        var failed = new ConcurrentDictionary<Guid, bool>();
        var builder = new ResiliencePipelineBuilder<WindowPoStResult> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<WindowPoStResult>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = TimeSpan.Zero,
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = new PredicateBuilder<WindowPoStResult>().Handle<Exception>(IsRedispatchable),
                OnRetry = a =>
                {
                    Log.Redispatch(logger, index, a.AttemptNumber + 1, a.Outcome.Exception?.Message ?? "no result");
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (options.HedgeAfter is { } hedge)
        {
            builder.AddHedging(new HedgingStrategyOptions<WindowPoStResult>
            {
                Delay = hedge,
                MaxHedgedAttempts = 1,
                ShouldHandle = new PredicateBuilder<WindowPoStResult>().Handle<Exception>(IsRedispatchable),
                ActionGenerator = args => () =>
                {
                    args.ActionContext.Properties.Set(HedgeKey, true);
                    return args.Callback(args.ActionContext);
                },
                OnHedging = _ =>
                {
                    Log.Hedged(logger, index, hedge);
                    return ValueTask.CompletedTask;
                },
            });
        }

        var pipeline = builder.Build();
        var context = ResilienceContextPool.Shared.Get(ct);
        try
        {
            return await pipeline.ExecuteAsync(
                async c =>
                {
                    // A retry waits for a free worker; a hedge takes an idle one or none.
                    var hedged = c.Properties.GetValue(HedgeKey, false);
                    return await scheduler.ScheduleAsync(!hedged, (w, t) => RunAsync(w, hedged, t), c.CancellationToken, failed.Keys.ToHashSet()).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        async Task<WindowPoStResult> RunAsync(WorkerHandle worker, bool hedged, CancellationToken token)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            var start = time.GetUtcNow();
            var host = worker.Info.Hostname;
            try
            {
                var result = await PoStJobs.TrackAsync(
                    jobs,
                    worker.Info.Hostname,
                    worker.Id,
                    new SectorId(minerId, sectors[0].SectorNumber),
                    TaskType.GenerateWindowPoSt,
                    () => worker.Api.GenerateWindowPoStAsync(proof.Proof, minerId, sectors, index, rand, timeout.Token)
                        .WaitAsync(options.PartitionTimeout, time, token),
                    token).ConfigureAwait(false);
                var answered = time.GetUtcNow();
                var skipped = result.Skipped?.Count ?? 0;
                metrics?.PartitionFinished(local: false, skipped > 0 ? "Skipped" : "Succeeded", answered - start);
                timeline?.Add("partition", index, host, worker.Id, start, answered, sectors.Length, skipped > 0 ? "Skipped" : "Succeeded", Attempt(hedged, skipped > 0 ? $"{skipped} sectors skipped" : null));
                if (result.KilnTimings is { } timings)
                {
                    timeline?.WorkerReported(index, host, worker.Id, answered, timings, sectors.Length);
                }

                return result;
            }
            catch (Exception e)
            {
                metrics?.PartitionFinished(local: false, e is OperationCanceledException ? "Aborted" : "Failed", time.GetUtcNow() - start);
                timeline?.Add("partition", index, host, worker.Id, start, time.GetUtcNow(), sectors.Length, e is OperationCanceledException ? "Aborted" : "Failed", Attempt(hedged, e.Message));
                // The worker's call ends with this attempt, whatever ended it: WaitAsync can observe a cancelled token
                // before the linked source does, and disposing that source unhooks it, which would leave the worker proving.
                await timeout.CancelAsync().ConfigureAwait(false);
                if (!IsRedispatchable(e))
                {
                    throw;
                }

                failed[worker.Id] = true;
                Log.PartitionFailed(logger, index, worker.Id, host, e.Message);
                throw;
            }
        }

        static string? Attempt(bool hedged, string? detail) => hedged ? detail is null ? "hedged" : "hedged; " + detail : detail;
    }

    private async Task<WindowPoStResult> ProveLocallyAsync(ulong minerId, PoStProofInfo proof, byte[] rand, PostSectorChallenge[] sectors, int index, PoStTimeline? timeline, CancellationToken ct)
    {
        var start = time.GetUtcNow();
        try
        {
            var result = await PoStJobs.TrackAsync(jobs, PoStJobs.LocalHost, Guid.Empty, new SectorId(minerId, sectors[0].SectorNumber), TaskType.GenerateWindowPoSt, ProveAsync, ct).ConfigureAwait(false);
            var skipped = result.Skipped?.Count ?? 0;
            metrics?.PartitionFinished(local: true, skipped > 0 ? "Skipped" : "Succeeded", time.GetUtcNow() - start);
            timeline?.Local("partition", start, sectors.Length, skipped > 0 ? "Skipped" : "Succeeded", skipped > 0 ? $"{skipped} sectors skipped" : null, index);
            return result;
        }
        catch (Exception e)
        {
            metrics?.PartitionFinished(local: true, e is OperationCanceledException ? "Aborted" : "Failed", time.GetUtcNow() - start);
            timeline?.Local("partition", start, sectors.Length, e is OperationCanceledException ? "Aborted" : "Failed", e.Message, index);
            throw;
        }

        async Task<WindowPoStResult> ProveAsync()
        {
            try
            {
                // The same partition prover a window PoSt worker runs: bounded, timed vanilla reads, then the SNARK.
                var result = await _local.GenerateWindowPoStAsync(proof.Proof, minerId, sectors, index, rand, ct).ConfigureAwait(false);
                if (result.KilnTimings is { } timings)
                {
                    timeline?.Reported(index, PoStJobs.LocalHost, Guid.Empty, time.GetUtcNow(), timings, sectors.Length, reporter: null);
                }

                return result;
            }
            catch (PoStFaultySectorsException e)
            {
                timeline?.Local("snark", start, sectors.Length, "Skipped", $"faulty sectors {string.Join(',', e.FaultySectors)}", index);
                return Skip(e.FaultySectors);
            }
        }

        WindowPoStResult Skip(IEnumerable<ulong> numbers) =>
            new(new PoStProof(proof.Proof, null), [.. numbers.Select(n => new SectorId(minerId, n))]);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6012, EventName = "WindowPoStProven", Level = LogLevel.Information, Message = "window PoSt of {Sectors} sectors in {Partitions} partitions proven by {Where}: {Bytes} proof bytes, verified")]
        public static partial void Proven(ILogger logger, int sectors, int partitions, string where, int bytes);

        [LoggerMessage(EventId = 6013, EventName = "WindowPoStSectorsSkipped", Level = LogLevel.Warning, Message = "window PoSt: some sectors ({Count}) were skipped: {Sectors}; proving the batch without them")]
        public static partial void Skipped(ILogger logger, int count, string sectors);

        [LoggerMessage(EventId = 6014, EventName = "WindowPoStPartitionFailed", Level = LogLevel.Warning, Message = "window PoSt partition {Partition} failed on worker {Worker} ({Host}): {Reason}")]
        public static partial void PartitionFailed(ILogger logger, int partition, Guid worker, string host, string reason);

        [LoggerMessage(EventId = 6015, EventName = "WindowPoStPartitionRedispatched", Level = LogLevel.Information, Message = "window PoSt partition {Partition}: dispatching again (attempt {Attempt}): {Reason}")]
        public static partial void Redispatch(ILogger logger, int partition, int attempt, string reason);

        [LoggerMessage(EventId = 6016, EventName = "WindowPoStPartitionHedged", Level = LogLevel.Information, Message = "window PoSt partition {Partition} still running after {After}: hedging onto an idle worker")]
        public static partial void Hedged(ILogger logger, int partition, TimeSpan after);
    }
}
