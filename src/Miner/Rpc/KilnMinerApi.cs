using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Sealing;

namespace Kiln.Miner.Rpc;

/// <summary>Serves <see cref="IKilnMinerApi"/> from the sector pipeline and the job tracker.</summary>
public sealed class KilnMinerApi(SectorPipeline pipeline, JobTracker jobs) : IKilnMinerApi
{
    public Task<SectorId> PledgeSectorAsync(CancellationToken ct) => pipeline.PledgeAsync(ct);

    public async Task<IReadOnlyList<ulong>> SectorsListAsync(CancellationToken ct) =>
        (await pipeline.ListAsync(ct).ConfigureAwait(false)).Select(s => s.Number).ToList();

    public async Task<SectorStatus> SectorsStatusAsync(ulong sector, bool showOnChainInfo, CancellationToken ct)
    {
        var s = await pipeline.GetAsync(sector, ct).ConfigureAwait(false) ?? throw new RpcException(RpcErrorCodes.Application, $"sector {sector} not found");
        var commD = s.Cids?.Unsealed
            ?? (s.PreCommit1Out is { } pc1 ? Cid.Parse(Kiln.Proofs.Cid.CommCid.ToPieceCid(Kiln.Proofs.Sdr.PreCommit1Output.Parse(pc1).CommD)) : default);
        return new SectorStatus(s.Number, s.State.ToString(), commD, s.Cids?.Sealed ?? default, s.Pieces, s.Ticket, s.Error ?? string.Empty)
        {
            Seed = s.Seed,
            Proof = s.PoRepProof,
        };
    }

    public async Task<IReadOnlyList<JobEntry>> KilnJobHistoryAsync(int limit, CancellationToken ct) =>
        (await jobs.ListAsync(Math.Clamp(limit, 1, 10_000), ct).ConfigureAwait(false))
        .Select(j => new JobEntry(j.CallId, j.HostName, j.WorkerId, j.Sector.Number, TaskTypes.ShortName(j.Task), j.Start, j.End, j.Duration is { } d ? d.Ticks * 100 : null, j.Outcome.ToString(), j.Error))
        .ToList();
}
