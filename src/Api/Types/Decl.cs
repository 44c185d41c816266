using System.Text.Json.Serialization;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.Decl</c>: a sector file declared in a path. Go embeds <c>abi.SectorID</c>, so the JSON is flat:
/// <c>{"Miner":1000,"Number":100,"SectorFileType":2}</c>.
/// </summary>
public sealed record Decl(ulong Miner, ulong Number, SectorFileType SectorFileType)
{
    public static Decl Of(SectorId sector, SectorFileType fileType) => new(sector.Miner, sector.Number, fileType);

    [JsonIgnore]
    public SectorId Sector => new(Miner, Number);
}
