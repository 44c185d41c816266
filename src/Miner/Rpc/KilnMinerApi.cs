using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Proving;
using Kiln.Miner.Sealing;

namespace Kiln.Miner.Rpc;

/// <summary>Serves <see cref="IKilnMinerApi"/> from the sector pipeline, the job tracker and the proving service.</summary>
public sealed class KilnMinerApi(SectorPipeline pipeline, JobTracker jobs, ProvingService proving) : IKilnMinerApi
{
    public Task<SectorId> PledgeSectorAsync(CancellationToken ct) => pipeline.PledgeAsync(ct);

    public async Task<IReadOnlyList<ulong>> SectorsListAsync(CancellationToken ct) =>
        (await pipeline.ListAsync(ct).ConfigureAwait(false)).Select(s => s.Number).ToList();

    public async Task<SectorStatus> SectorsStatusAsync(ulong sector, bool showOnChainInfo, CancellationToken ct)
    {
        var s = await pipeline.GetAsync(sector, ct).ConfigureAwait(false) ?? throw new RpcException(RpcErrorCodes.Application, $"sector {sector} not found");
        var commD = s.Cids?.Unsealed
            ?? (s.PreCommit1Out is { } pc1 ? ProofsMapping.UnsealedCid(Kiln.Proofs.Seal.PreCommit1Output.Parse(pc1).CommD) : default);
        return new SectorStatus(s.Number, s.State.ToString(), commD, s.Cids?.Sealed ?? default, s.Pieces, s.Ticket, s.Error ?? string.Empty)
        {
            TicketEpoch = s.TicketEpoch,
            Seed = s.Seed,
            SeedEpoch = s.SeedEpoch,
            Proof = s.PoRepProof,
        };
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
