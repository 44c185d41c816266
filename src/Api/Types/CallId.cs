using System.Globalization;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.CallID</c>: <c>{"Sector":{"Miner":1000,"Number":9},"ID":"07070707-0707-0707-0707-070707070707"}</c>,
/// the handle of an asynchronous worker call. DataCid calls carry sector <c>{0,0}</c>.
/// </summary>
public readonly record struct CallId(SectorId Sector, Guid ID)
{
    /// <summary>Lotus <c>UndefCall</c>: zero sector, nil UUID.</summary>
    public static CallId Undef => default;

    /// <summary>Lotus <c>CallID.String()</c>: <c>&lt;miner&gt;-&lt;number&gt;-&lt;uuid&gt;</c> (the worker's call-store key).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Sector.Miner}-{Sector.Number}-{ID}");

    /// <summary>The inverse of <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">Not <c>&lt;miner&gt;-&lt;number&gt;-&lt;uuid&gt;</c>.</exception>
    public static CallId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"invalid call id '{text}', expected <miner>-<number>-<uuid>");

    public static bool TryParse(string? text, out CallId id)
    {
        id = default;
        if (text is null)
        {
            return false;
        }

        var s = text.AsSpan();
        var first = s.IndexOf('-');
        if (first <= 0)
        {
            return false;
        }

        var second = s[(first + 1)..].IndexOf('-');
        if (second <= 0)
        {
            return false;
        }

        var uuid = s[(first + 1 + second + 1)..];
        if (!ulong.TryParse(s[..first], NumberStyles.None, CultureInfo.InvariantCulture, out var miner)
            || !ulong.TryParse(s.Slice(first + 1, second), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !Guid.TryParseExact(uuid, "D", out var guid))
        {
            return false;
        }

        id = new CallId(new SectorId(miner, number), guid);
        return true;
    }
}
