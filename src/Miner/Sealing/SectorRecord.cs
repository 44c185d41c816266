using Kiln.Api.Types;

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
    DateTimeOffset Updated);
