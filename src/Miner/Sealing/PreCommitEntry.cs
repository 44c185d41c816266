using Kiln.Api.Chain;

namespace Kiln.Miner.Sealing;

/// <summary>A sector's pre-commit as it goes into PreCommitSectorBatch2, with the deposit it locks.</summary>
public sealed record PreCommitEntry(SectorPreCommitInfo Info, TokenAmount Deposit);
