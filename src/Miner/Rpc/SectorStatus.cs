using System.Numerics;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Miner.Rpc;

/// <summary>
/// Lotus api.SectorInfo (api/api_storage.go), the answer of <c>SectorsStatus</c>, with the same field names and JSON
/// shapes; the on-chain part (SealProof to Early) is filled only when asked for and the chain shows the sector
/// active. Kiln's own fields (exit codes, deposit, where the chain put the sector) follow Lotus's.
/// </summary>
public sealed record SectorStatus(ulong SectorID, string State, Cid CommD, Cid CommR, string LastErr)
{
    /// <summary>The PoRep proof from Commit2.</summary>
    public byte[]? Proof { get; init; }

    /// <summary>The deal ids of the sector's pieces (none: Kiln seals CC sectors).</summary>
    public IReadOnlyList<ulong>? Deals { get; init; }

    public IReadOnlyList<SectorPiece>? Pieces { get; init; }

    /// <summary>The seal ticket and its epoch (Lotus prints them as Ticket and TicketH).</summary>
    public SealTicket Ticket { get; init; } = new(null, 0);

    /// <summary>The interactive seed and its epoch (Lotus prints them as Seed and SeedH).</summary>
    public SealSeed Seed { get; init; } = new(null, 0);

    /// <summary>The PreCommitSectorBatch2 message carrying the sector's pre-commit (null until sent).</summary>
    public Cid PreCommitMsg { get; init; }

    /// <summary>The ProveCommitSectors3 message carrying the sector's proof (null until sent).</summary>
    public Cid CommitMsg { get; init; }

    /// <summary>Failed attempts in a row at the current step (Lotus's retries of the *Failed states).</summary>
    public ulong Retries { get; init; }

    public bool ToUpgrade { get; init; }

    public Cid ReplicaUpdateMessage { get; init; }

    /// <summary>Lotus's sector event log; Kiln keeps none (null).</summary>
    public IReadOnlyList<object>? Log { get; init; }

    /// <summary>On chain: the seal proof type (with <c>showOnChainInfo</c>, once active).</summary>
    public RegisteredSealProof SealProof { get; init; }

    /// <summary>On chain: the epoch the chain accepted the proof.</summary>
    public long Activation { get; init; }

    /// <summary>On chain: the epoch the sector expires.</summary>
    public long Expiration { get; init; }

    /// <summary>On chain: integral of active deals over the sector's life (zero for CC).</summary>
    public BigInteger DealWeight { get; init; }

    /// <summary>On chain: integral of verified deals over the sector's life (zero for CC).</summary>
    public BigInteger VerifiedDealWeight { get; init; }

    /// <summary>On chain: the pledge collected to commit the sector (zero where the record does not know it).</summary>
    public BigInteger InitialPledge { get; init; }

    /// <summary>Expiration info: the epoch the sector expires on time (zero where the record does not know it).</summary>
    public long OnTime { get; init; }

    /// <summary>Expiration info: non-zero for a faulty sector, the epoch it is removed unless it recovers.</summary>
    public long Early { get; init; }

    /// <summary>Kiln: the exit code of the pre-commit message's receipt (null until it landed).</summary>
    public long? PreCommitExitCode { get; init; }

    /// <summary>Kiln: the pre-commit deposit in attoFIL (null until computed).</summary>
    public BigInteger? PreCommitDeposit { get; init; }

    /// <summary>Kiln: the exit code of the prove-commit message's receipt (null until it landed).</summary>
    public long? CommitExitCode { get; init; }

    /// <summary>Kiln: the epoch the chain activated the sector, whether or not the on-chain part was asked for (null until active).</summary>
    public long? ActivationEpoch { get; init; }

    /// <summary>Kiln: the expiration the sector was pre-committed with (null until chosen).</summary>
    public long? PreCommitExpiration { get; init; }

    /// <summary>Kiln: the deadline holding the sector on chain (StateSectorPartition; null until active).</summary>
    public int? Deadline { get; init; }

    /// <summary>Kiln: the partition of <see cref="Deadline"/> holding the sector.</summary>
    public int? Partition { get; init; }

    /// <summary>Kiln: for a Failed sector, the state whose step failed (where <c>sectors retry</c> resumes).</summary>
    public string? FailedIn { get; init; }
}
