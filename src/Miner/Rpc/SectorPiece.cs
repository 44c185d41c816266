using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Miner.Rpc;

/// <summary>Lotus api.SectorPiece: a piece of the sector and its deal (null for the zero piece of a CC sector).</summary>
public sealed record SectorPiece(PieceInfo Piece)
{
    /// <summary>Lotus's piece deal info; Kiln seals CC sectors only, so always null.</summary>
    public JsonElement? DealInfo { get; init; }
}
