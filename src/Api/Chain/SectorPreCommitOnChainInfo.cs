namespace Kiln.Api.Chain;

/// <summary>go-state-types miner <c>SectorPreCommitOnChainInfo</c> (StateSectorPreCommitInfo): the info, its deposit and epoch.</summary>
public sealed record SectorPreCommitOnChainInfo(SectorPreCommitInfo Info, TokenAmount PreCommitDeposit, long PreCommitEpoch);
