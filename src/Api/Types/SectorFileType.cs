using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.SectorFileType</c> (storage/sealer/storiface/filetype.go): a bitmask sent as a JSON
/// number, and as a decimal-string key in maps. Names, overheads and parsing live in <see cref="SectorFileTypes"/>.
/// </summary>
[Flags]
[JsonConverter(typeof(GoEnumConverter<SectorFileType>))]
public enum SectorFileType
{
    None = 0,
    Unsealed = 1,
    Sealed = 2,
    Cache = 4,
    Update = 8,
    UpdateCache = 16,
    Piece = 32,

    /// <summary>Lotus <c>FTAll</c>: every known type.</summary>
    All = Unsealed | Sealed | Cache | Update | UpdateCache | Piece,
}
