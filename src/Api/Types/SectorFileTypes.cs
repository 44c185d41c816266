using System.Diagnostics.CodeAnalysis;

namespace Kiln.Api.Types;

/// <summary>
/// Names, parsing and space accounting of <see cref="SectorFileType"/> (lotus: storage/sealer/storiface/filetype.go).
/// A single type's name is also its directory under a storage path and the <c>{type}</c> segment of <c>/remote</c> URLs.
/// </summary>
public static class SectorFileTypes
{
    /// <summary>Lotus <c>FSOverheadDen</c>: overheads are tenths of the sector size.</summary>
    public const int OverheadDenominator = 10;

    /// <summary>Every single type in Lotus's <c>FileTypes</c> order (bit order).</summary>
    public static IReadOnlyList<SectorFileType> Singles { get; } =
    [
        SectorFileType.Unsealed,
        SectorFileType.Sealed,
        SectorFileType.Cache,
        SectorFileType.Update,
        SectorFileType.UpdateCache,
        SectorFileType.Piece,
    ];

    /// <summary>The name of a single type ("unsealed", "update-cache", ...), or null for a mask or unknown value.</summary>
    public static string? NameOf(SectorFileType type) => type switch
    {
        SectorFileType.Unsealed => "unsealed",
        SectorFileType.Sealed => "sealed",
        SectorFileType.Cache => "cache",
        SectorFileType.Update => "update",
        SectorFileType.UpdateCache => "update-cache",
        SectorFileType.Piece => "piece",
        _ => null,
    };

    /// <summary>
    /// Go's <c>SectorFileType.String()</c>: the name of a single type, otherwise
    /// <c>&lt;unknown 6 [sealed cache]&gt;</c> (what Lotus puts into URLs when a mask is asked for).
    /// </summary>
    public static string Format(SectorFileType type) =>
        NameOf(type) ?? $"<unknown {(int)type} [{string.Join(' ', Names(type))}]>";

    /// <summary>Go's <c>Strings()</c>: the names of the known types set in <paramref name="mask"/>, in bit order.</summary>
    public static IReadOnlyList<string> Names(SectorFileType mask) =>
        [.. Singles.Where(t => (mask & t) != 0).Select(t => NameOf(t)!)];

    /// <summary>Go's <c>AllSet()</c>: the single types set in <paramref name="mask"/>, in bit order.</summary>
    public static IReadOnlyList<SectorFileType> AllSet(SectorFileType mask) => [.. Singles.Where(t => (mask & t) != 0)];

    /// <summary>Go's <c>TypeFromString</c>: a single type by name (exact, lower case).</summary>
    /// <exception cref="FormatException">The name is not a sector file type.</exception>
    public static SectorFileType Parse(string name) =>
        TryParse(name, out var type) ? type : throw new FormatException($"unknown sector file type '{name}'");

    public static bool TryParse(string? name, out SectorFileType type)
    {
        type = name switch
        {
            "unsealed" => SectorFileType.Unsealed,
            "sealed" => SectorFileType.Sealed,
            "cache" => SectorFileType.Cache,
            "update" => SectorFileType.Update,
            "update-cache" => SectorFileType.UpdateCache,
            "piece" => SectorFileType.Piece,
            _ => SectorFileType.None,
        };
        return type != SectorFileType.None;
    }

    /// <summary>Lotus <c>FSOverheadSeal</c>: space a single type takes while sealing, in tenths of the sector size.</summary>
    public static int SealOverhead(SectorFileType single) => single switch
    {
        SectorFileType.Cache => 141,
        SectorFileType.UpdateCache => 21,
        _ => KnownOrThrow(single, OverheadDenominator),
    };

    /// <summary>Lotus <c>FsOverheadFinalized</c>: space a single type takes once finalized, in tenths of the sector size.</summary>
    public static int FinalizedOverhead(SectorFileType single) => single switch
    {
        SectorFileType.Cache or SectorFileType.UpdateCache => 1,
        _ => KnownOrThrow(single, OverheadDenominator),
    };

    /// <summary>Go's <c>SealSpaceUse</c>: bytes to reserve for sealing the types of <paramref name="mask"/>.</summary>
    public static ulong SealSpaceUse(SectorFileType mask, ulong sectorSize) => SpaceUse(mask, sectorSize, SealOverhead);

    /// <summary>Go's <c>StoreSpaceUse</c>: bytes the finalized types of <paramref name="mask"/> take in long-term storage.</summary>
    public static ulong StoreSpaceUse(SectorFileType mask, ulong sectorSize) => SpaceUse(mask, sectorSize, FinalizedOverhead);

    /// <summary>
    /// The types a path's <c>AllowTypes</c>/<c>DenyTypes</c> lists deny (Go's deny mask; unknown names are ignored,
    /// a non-empty allow list denies everything it does not name).
    /// </summary>
    public static SectorFileType DeniedBy(IReadOnlyList<string>? allowTypes, IReadOnlyList<string>? denyTypes)
    {
        var deny = SectorFileType.None;
        if (allowTypes is { Count: > 0 })
        {
            deny = SectorFileType.All;
            foreach (var name in allowTypes)
            {
                if (TryParse(name, out var t))
                {
                    deny &= ~t;
                }
            }
        }

        foreach (var name in denyTypes ?? [])
        {
            if (TryParse(name, out var t))
            {
                deny |= t;
            }
        }

        return deny;
    }

    /// <summary>Go's <c>Allowed</c>: no type of <paramref name="mask"/> is denied.</summary>
    public static bool Allowed(SectorFileType mask, IReadOnlyList<string>? allowTypes, IReadOnlyList<string>? denyTypes) =>
        (mask & DeniedBy(allowTypes, denyTypes)) == 0;

    /// <summary>Go's <c>AnyAllowed</c>: at least one type of <paramref name="mask"/> is not denied.</summary>
    public static bool AnyAllowed(SectorFileType mask, IReadOnlyList<string>? allowTypes, IReadOnlyList<string>? denyTypes) =>
        (mask & DeniedBy(allowTypes, denyTypes)) != mask;

    private static ulong SpaceUse(SectorFileType mask, ulong sectorSize, Func<SectorFileType, int> overhead)
    {
        ulong need = 0;
        foreach (var t in AllSet(mask))
        {
            need += (ulong)overhead(t) * sectorSize / OverheadDenominator;
        }

        return need;
    }

    private static int KnownOrThrow(SectorFileType single, int value) =>
        NameOf(single) is null ? ThrowNoOverhead(single) : value;

    [DoesNotReturn]
    private static int ThrowNoOverhead(SectorFileType type) =>
        throw new ArgumentOutOfRangeException(nameof(type), type, $"no overhead info for {Format(type)}");
}
