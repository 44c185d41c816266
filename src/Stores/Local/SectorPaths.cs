using Kiln.Api.Types;

namespace Kiln.Stores.Local;

/// <summary>
/// Lotus <c>storiface.SectorPaths</c>: one string per file type (a file path, or a storage id) for a sector;
/// empty when the type is not part of the answer.
/// </summary>
public sealed record SectorPaths(
    SectorId ID,
    string Unsealed = "",
    string Sealed = "",
    string Cache = "",
    string Update = "",
    string UpdateCache = "",
    string Piece = "")
{
    /// <summary>Lotus <c>PathByType</c>.</summary>
    public string this[SectorFileType single] => single switch
    {
        SectorFileType.Unsealed => Unsealed,
        SectorFileType.Sealed => Sealed,
        SectorFileType.Cache => Cache,
        SectorFileType.Update => Update,
        SectorFileType.UpdateCache => UpdateCache,
        SectorFileType.Piece => Piece,
        _ => throw new ArgumentOutOfRangeException(nameof(single), single, "not a single sector file type"),
    };

    /// <summary>Lotus <c>SetPathByType</c>, as a copy.</summary>
    public SectorPaths With(SectorFileType single, string value) => single switch
    {
        SectorFileType.Unsealed => this with { Unsealed = value },
        SectorFileType.Sealed => this with { Sealed = value },
        SectorFileType.Cache => this with { Cache = value },
        SectorFileType.Update => this with { Update = value },
        SectorFileType.UpdateCache => this with { UpdateCache = value },
        SectorFileType.Piece => this with { Piece = value },
        _ => throw new ArgumentOutOfRangeException(nameof(single), single, "not a single sector file type"),
    };

    /// <summary>The types that have a non-empty entry.</summary>
    public SectorFileType Present =>
        SectorFileTypes.Singles.Where(t => this[t].Length > 0).Aggregate(SectorFileType.None, (m, t) => m | t);
}
