using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Miner.Sealing;

/// <summary>One sector as the pipeline persists it.</summary>
public sealed record SectorRecord(
    ulong Number,
    SectorState State,
    RegisteredSealProof Proof,
    IReadOnlyList<PieceInfo> Pieces,
    byte[]? Ticket,
    byte[]? PreCommit1Out,
    string? Error,
    DateTimeOffset Created,
    DateTimeOffset Updated)
{
    /// <summary>comm_d and comm_r from PreCommit2, once known.</summary>
    public SectorCids? Cids { get; init; }

    /// <summary>The epoch the seal ticket was drawn at (Lotus's ticket epoch), once drawn.</summary>
    public long? TicketEpoch { get; init; }

    /// <summary>
    /// The head when the sector became ready to pre-commit (after PreCommit2): the epoch its interactive seed is counted
    /// from, standing in for the epoch a pre-commit message would have landed.
    /// </summary>
    public long? PreCommitEpoch { get; init; }

    /// <summary>The interactive PoRep seed, once the chain gave it.</summary>
    public byte[]? Seed { get; init; }

    /// <summary>The epoch the interactive seed was drawn at.</summary>
    public long? SeedEpoch { get; init; }

    /// <summary>The PoRep proof from Commit2.</summary>
    public byte[]? PoRepProof { get; init; }

    /// <summary>For a Failed sector, the state whose step failed (where <c>sectors retry</c> resumes).</summary>
    public SectorState? FailedIn { get; init; }

    /// <summary>The PreCommitSectorBatch2 message that carries the sector's pre-commit, once sent.</summary>
    public Cid? PreCommitMessage { get; init; }

    /// <summary>The exit code of the pre-commit message's receipt, once on chain.</summary>
    public long? PreCommitExitCode { get; init; }

    /// <summary>The deposit the pre-commit locks (StateMinerPreCommitDepositForPower).</summary>
    public TokenAmount? PreCommitDeposit { get; init; }

    /// <summary>The ProveCommitSectors3 message that carries the sector's proof, once sent.</summary>
    public Cid? CommitMessage { get; init; }

    /// <summary>The exit code of the prove-commit message's receipt, once on chain.</summary>
    public long? CommitExitCode { get; init; }

    /// <summary>The sector's expiration epoch in its pre-commit.</summary>
    public long? Expiration { get; init; }

    /// <summary>The pledge the chain locked for the sector when it activated it (StateSectorGetInfo InitialPledge).</summary>
    public TokenAmount? InitialPledge { get; init; }

    /// <summary>The epoch the chain activated the sector (StateSectorGetInfo Activation).</summary>
    public long? ActivationEpoch { get; init; }

    /// <summary>The deadline holding the sector on chain (StateSectorPartition), once active.</summary>
    public int? Deadline { get; init; }

    /// <summary>The partition of <see cref="Deadline"/> holding the sector, once active.</summary>
    public int? Partition { get; init; }

    /// <summary>Failed attempts in a row at the current step (Lotus SectorInfo.Retries for the *Failed states).</summary>
    public int Retries { get; init; }
}
