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
}
