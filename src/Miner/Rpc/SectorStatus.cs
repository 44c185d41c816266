using Kiln.Api.Types;

namespace Kiln.Miner.Rpc;

/// <summary>The part of Lotus's SectorsStatus answer Kiln can fill today (same field names).</summary>
public sealed record SectorStatus(
    ulong SectorID,
    string State,
    Cid CommD,
    Cid CommR,
    IReadOnlyList<PieceInfo>? Pieces,
    byte[]? Ticket,
    string LastErr)
{
    /// <summary>The epoch the ticket was drawn at (Lotus: Ticket.Epoch, printed as TicketH).</summary>
    public long? TicketEpoch { get; init; }

    /// <summary>The interactive seed (Lotus: SeedValue).</summary>
    public byte[]? Seed { get; init; }

    /// <summary>The epoch the seed was drawn at (Lotus: Seed.Epoch, printed as SeedH).</summary>
    public long? SeedEpoch { get; init; }

    /// <summary>The PoRep proof from Commit2.</summary>
    public byte[]? Proof { get; init; }
}
