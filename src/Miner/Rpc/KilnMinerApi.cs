using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Sealing;

namespace Kiln.Miner.Rpc;

/// <summary>Serves <see cref="IKilnMinerApi"/> from the sector pipeline, the job tracker and the proving service.</summary>
/// <remarks>
/// <paramref name="batches"/> gives the pre-commit and commit batch queues when the methods are called (so they may be
/// registered after this API is built); null, or a null answer, makes the batching methods say there are none.
/// </remarks>
public sealed class KilnMinerApi(SectorPipeline pipeline, JobTracker jobs, ProvingService proving, Func<IBatchQueues?>? batches = null) : IKilnMinerApi
{
    public Task<SectorId> PledgeSectorAsync(CancellationToken ct) => pipeline.PledgeAsync(ct);

    public async Task<IReadOnlyList<ulong>> SectorsListAsync(CancellationToken ct) =>
        (await pipeline.ListAsync(ct).ConfigureAwait(false)).Select(s => s.Number).ToList();

    public async Task<SectorStatus> SectorsStatusAsync(ulong sector, bool showOnChainInfo, CancellationToken ct)
    {
        var s = await pipeline.GetAsync(sector, ct).ConfigureAwait(false) ?? throw new RpcException(RpcErrorCodes.Application, $"sector {sector} not found");
        return Status(s, showOnChainInfo);
    }

    /// <summary>
    /// Lotus's SectorInfo of <paramref name="s"/>: what the record keeps, and with <paramref name="showOnChainInfo"/>
    /// the on-chain part once the chain has activated the sector (Lotus reads it from StateSectorGetInfo; the record
    /// holds what the pipeline read from it, the pledge included). Deal weights are zero (CC sectors); the expiration
    /// queue (OnTime, Early) is not kept, so it stays zero as Lotus leaves it when it cannot read it.
    /// </summary>
    internal static SectorStatus Status(SectorRecord s, bool showOnChainInfo)
    {
        var commD = s.Cids?.Unsealed
            ?? (s.PreCommit1Out is { } pc1 ? ProofsMapping.UnsealedCid(Kiln.Proofs.Seal.PreCommit1Output.Parse(pc1).CommD) : default);
        var active = showOnChainInfo && s.ActivationEpoch is not null;
        return new SectorStatus(s.Number, s.State.ToString(), commD, s.Cids?.Sealed ?? default, s.Error ?? string.Empty)
        {
            Proof = s.PoRepProof,
            Pieces = [.. s.Pieces.Select(p => new SectorPiece(p))],
            Ticket = new SealTicket(s.Ticket, s.TicketEpoch ?? 0),
            Seed = new SealSeed(s.Seed, s.SeedEpoch ?? 0),
            PreCommitMsg = s.PreCommitMessage ?? default,
            CommitMsg = s.CommitMessage ?? default,
            Retries = (ulong)Math.Max(0, s.Retries),
            SealProof = active ? s.Proof : default,
            Activation = active ? s.ActivationEpoch!.Value : 0,
            Expiration = active ? s.Expiration ?? 0 : 0,
            InitialPledge = active ? s.InitialPledge?.Atto ?? 0 : 0,
            PreCommitExitCode = s.PreCommitExitCode,
            PreCommitDeposit = s.PreCommitDeposit?.Atto,
            CommitExitCode = s.CommitExitCode,
            ActivationEpoch = s.ActivationEpoch,
            PreCommitExpiration = s.Expiration,
            Deadline = s.Deadline,
            Partition = s.Partition,
            FailedIn = s.FailedIn?.ToString(),
        };
    }

    public async Task<IReadOnlyList<PreCommitBatchRes>?> SectorPreCommitFlushAsync(CancellationToken ct)
    {
        var sent = await FlushAsync(b => b.FlushPreCommitsAsync(ct), "pre-commit").ConfigureAwait(false);
        return sent.Count == 0 ? null : [.. sent.Select(r => new PreCommitBatchRes(r.Sectors, r.Message ?? default, r.Error ?? ""))];
    }

    public Task<IReadOnlyList<SectorId>> SectorPreCommitPendingAsync(CancellationToken ct) => Task.FromResult(Pending(Batches().PendingPreCommits));

    public async Task<IReadOnlyList<CommitBatchRes>?> SectorCommitFlushAsync(CancellationToken ct)
    {
        var sent = await FlushAsync(b => b.FlushCommitsAsync(ct), "commit").ConfigureAwait(false);
        return sent.Count == 0 ? null : [.. sent.Select(r => new CommitBatchRes(r.Sectors, r.FailedSectors, r.Message ?? default, r.Error ?? ""))];
    }

    public Task<IReadOnlyList<SectorId>> SectorCommitPendingAsync(CancellationToken ct) => Task.FromResult(Pending(Batches().PendingCommits));

    /// <summary>The batch queues, or an application error saying this miner has none.</summary>
    private IBatchQueues Batches() => batches?.Invoke()
        ?? throw new RpcException(RpcErrorCodes.Application, "this kiln-miner has no pre-commit/commit batch queues: sealing does not send messages to a chain here");

    /// <summary>Lotus's Pending (storage/pipeline/precommit_batch.go): []abi.SectorID of this miner, sorted by number.</summary>
    private IReadOnlyList<SectorId> Pending(IReadOnlyList<PendingBatchEntry> entries) => [.. entries.Select(e => new SectorId(proving.MinerId, e.Sector)).OrderBy(id => id.Number)];

    /// <summary>A flush whose sending failed outright becomes an application error naming the batch (as Lotus's "flush: …").</summary>
    private async Task<IReadOnlyList<BatchResult>> FlushAsync(Func<IBatchQueues, Task<IReadOnlyList<BatchResult>>> flush, string kind)
    {
        var queues = Batches();
        try
        {
            return await flush(queues).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw new RpcException(RpcErrorCodes.Application, $"sending the {kind} batch failed: {e.Message}", e);
        }
    }

    public async Task SectorsUpdateAsync(ulong sector, string state, CancellationToken ct)
    {
        if (!Enum.TryParse<SectorState>(state, ignoreCase: false, out var to) || !Enum.IsDefined(to) || int.TryParse(state, out _))
        {
            throw new RpcException(RpcErrorCodes.Application, $"\"{state}\" is not a valid state; the states of a sector are: {string.Join(", ", Enum.GetNames<SectorState>())}");
        }

        await MapErrorsAsync(() => pipeline.UpdateStateAsync(sector, to, ct)).ConfigureAwait(false);
    }

    public async Task<string> KilnSectorsRetryAsync(ulong sector, CancellationToken ct)
    {
        var to = SectorState.Failed;
        await MapErrorsAsync(async () => to = await pipeline.RetryAsync(sector, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return to.ToString();
    }

    /// <summary>The devnet's <c>--fail-sector</c> sectors (null when the miner runs on a full node).</summary>
    public Devnet.DevnetSectorFailures? DevnetFailures { get; init; }

    public Task<IReadOnlyList<ulong>> KilnDevnetFailSectorAsync(ulong sector, bool failed, CancellationToken ct)
    {
        if (DevnetFailures is not { } failures)
        {
            throw new RpcException(RpcErrorCodes.Application, $"cannot fail sector {sector}: fail-sector is the devnet's, and this miner runs on a full node");
        }

        failures.Set(sector, failed);
        return Task.FromResult(failures.Failed);
    }

    public Task KilnSectorsAbortAsync(ulong sector, CancellationToken ct) => MapErrorsAsync(() => pipeline.AbortAsync(sector, ct));

    /// <summary>The pipeline's refusals become application errors with its message (as Lotus returns a Go error).</summary>
    private static async Task MapErrorsAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SectorNotFoundException or InvalidOperationException)
        {
            throw new RpcException(RpcErrorCodes.Application, e.Message, e);
        }
    }

    public async Task<IReadOnlyList<JobEntry>> KilnJobHistoryAsync(int limit, CancellationToken ct) =>
        (await jobs.ListAsync(Math.Clamp(limit, 1, 10_000), ct).ConfigureAwait(false))
        .Select(j => new JobEntry(j.CallId, j.HostName, j.WorkerId, j.Sector.Number, TaskTypes.ShortName(j.Task), j.Start, j.End, j.Duration is { } d ? d.Ticks * 100 : null, j.Outcome.ToString(), j.Error))
        .ToList();

    public Task<IReadOnlyList<PoStWorkerStats>> KilnProvingWorkersAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PoStWorkerStats>>([.. proving.WindowScheduler.WorkerStats(), .. proving.WinningScheduler.WorkerStats()]);

    /// <summary>
    /// Every deadline of the chain's proving period with the proving sectors the chain assigns to it (a full node's
    /// partitions, or number mod 48 on the devnet) and its last Window PoSt.
    /// </summary>
    public async Task<IReadOnlyList<ProvingDeadline>> KilnProvingDeadlinesAsync(CancellationToken ct)
    {
        var (period, assigned) = await AssignedAsync(ct).ConfigureAwait(false);
        var sectors = assigned.Values.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        var last = (await proving.History.ListDeadlinesAsync(ct).ConfigureAwait(false)).ToDictionary(d => d.Index);
        var took = await proving.History.LatestDeadlinesAsync(ct).ConfigureAwait(false);
        return [.. Enumerable.Range(0, period).Select(i => last.TryGetValue(i, out var d)
            ? new ProvingDeadline(i, sectors.GetValueOrDefault(i), d.OpenEpoch, d.Proven, d.Skipped, d.Outcome, d.Error, took.TryGetValue(i, out var t) && t.Epoch == d.OpenEpoch ? t.Duration.Ticks * 100 : null)
            : new ProvingDeadline(i, sectors.GetValueOrDefault(i), null, null, 0, "", null))];
    }

    public async Task<ProvingDeadlineTimeline> KilnProvingDeadlineAsync(int index, CancellationToken ct)
    {
        var (period, assigned) = await AssignedAsync(ct).ConfigureAwait(false);
        if (index < 0 || index >= period)
        {
            throw new RpcException(RpcErrorCodes.Application, $"deadline index {index} out of range: a proving period has deadlines 0 to {period - 1}");
        }

        var sectors = assigned.Values.Count(i => i == index);
        return new ProvingDeadlineTimeline(index, sectors, await proving.History.LatestTimelineAsync(PoStTimelineEntry.WindowProof, index, ct).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<ProvingCheckRow>> KilnProvingCheckAsync(int index, CancellationToken ct)
    {
        // Only the deadlines per period are needed here, not every deadline's sector assignment.
        var period = (await proving.Chain.ProvingDeadlineAsync(proving.MinerId, ct).ConfigureAwait(false)).WPoStPeriodDeadlines;
        if (index < 0 || index >= period)
        {
            throw new RpcException(RpcErrorCodes.Application, $"deadline index {index} out of range: a proving period has deadlines 0 to {period - 1}");
        }

        var partitions = await proving.Chain.DeadlinePartitionsAsync(proving.MinerId, index, ct).ConfigureAwait(false);
        var bad = await proving.CheckProvableAsync([.. partitions.SelectMany(p => p.LiveSectors)], ct).ConfigureAwait(false);
        return [.. partitions.SelectMany((p, i) => p.LiveSectors.Select(n => new ProvingCheckRow(index, i, n, bad.GetValueOrDefault(n))))];
    }

    /// <summary>The deadlines per proving period and the deadline of each proving sector, as the chain has them at its head.</summary>
    private async Task<(int Period, IReadOnlyDictionary<ulong, int> Assigned)> AssignedAsync(CancellationToken ct)
    {
        var chain = proving.Chain;
        var current = await chain.ProvingDeadlineAsync(proving.MinerId, ct).ConfigureAwait(false);
        var numbers = (await proving.ProvingSectorsAsync(ct).ConfigureAwait(false)).Select(s => s.Number).ToList();
        return (current.WPoStPeriodDeadlines, await chain.SectorDeadlinesAsync(proving.MinerId, numbers, ct).ConfigureAwait(false));
    }

    public async Task<ProvingInfo> KilnProvingInfoAsync(CancellationToken ct)
    {
        var deadline = await proving.Chain.ProvingDeadlineAsync(proving.MinerId, ct).ConfigureAwait(false);
        var sectors = await proving.ProvingSectorsAsync(ct).ConfigureAwait(false);
        var options = proving.Options;
        var winning = proving.Loop.LastWinning;
        return new ProvingInfo(
            options.Enabled,
            deadline.CurrentEpoch,
            deadline.PeriodStart,
            deadline.Index,
            deadline.Open,
            deadline.Close,
            sectors.Count,
            proving.WindowScheduler.WorkerStats().Count,
            proving.WinningScheduler.WorkerStats().Count,
            !options.DisableBuiltinWindowPoSt,
            !options.DisableBuiltinWinningPoSt,
            winning?.Epoch,
            winning is { } w ? w.Outcome is { } o ? $"sector {o.Challenged[0]} proven" : "failed: " + w.Error : null);
    }
}
