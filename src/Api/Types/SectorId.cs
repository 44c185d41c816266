using System.Globalization;

namespace Kiln.Api.Types;

/// <summary>go-state-types <c>abi.SectorID</c>: <c>{"Miner":1000,"Number":9}</c> (miner actor id, sector number).</summary>
public readonly record struct SectorId(ulong Miner, ulong Number)
{
    /// <summary>Lotus <c>storiface.SectorName</c>: <c>s-t0&lt;miner&gt;-&lt;number&gt;</c> (literal <c>t0</c> on every network).</summary>
    public string ToSectorName() => string.Create(CultureInfo.InvariantCulture, $"s-t0{Miner}-{Number}");

    /// <summary>Lotus <c>storiface.ParseSectorID</c>: the inverse of <see cref="ToSectorName"/>.</summary>
    /// <exception cref="FormatException">Not a sector name.</exception>
    public static SectorId ParseSectorName(string name) =>
        TryParseSectorName(name, out var id) ? id : throw new FormatException($"invalid sector name '{name}', expected s-t0<miner>-<number>");

    public static bool TryParseSectorName(string? name, out SectorId id)
    {
        id = default;
        if (name is null || !name.StartsWith("s-t0", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(4);
        var dash = rest.IndexOf('-');
        if (dash <= 0
            || !ulong.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var miner)
            || !ulong.TryParse(rest[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        id = new SectorId(miner, number);
        return true;
    }
}
