using System.Globalization;

namespace Kiln.Proofs;

/// <summary>Sector and byte sizes written the way Lotus writes them: 2KiB, 8MiB, 512MiB, 32GiB, 64GiB.</summary>
public static class SectorSizes
{
    private static readonly (string Suffix, int Shift)[] Units =
    [
        ("EiB", 60), ("PiB", 50), ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10),
        ("EB", 60), ("PB", 50), ("TB", 40), ("GB", 30), ("MB", 20), ("KB", 10),
        ("E", 60), ("P", 50), ("T", 40), ("G", 30), ("M", 20), ("K", 10),
        ("B", 0),
    ];

    /// <summary>
    /// Parses "2KiB", "2K", "8MiB", "512MiB", "32GiB", "64GiB" or a plain byte count. Like Lotus
    /// (go-units RAMInBytes), K/KB/KiB are all powers of 1024. Case-insensitive; spaces allowed.
    /// </summary>
    public static ulong Parse(string text)
    {
        if (!TryParse(text, out var bytes))
        {
            throw new FormatException($"invalid size '{text}': expected a number with an optional unit such as 2KiB, 8MiB, 32GiB");
        }

        return bytes;
    }

    public static bool TryParse(string? text, out ulong bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var shift = 0;
        foreach (var (suffix, sh) in Units)
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[..^suffix.Length].TrimEnd();
                shift = sh;
                break;
            }
        }

        if (s.Length == 0)
        {
            return false;
        }

        if (ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
        {
            if (shift > 0 && whole > (ulong.MaxValue >> shift))
            {
                return false;
            }

            bytes = whole << shift;
            return true;
        }

        if (decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var frac) && frac >= 0)
        {
            var v = frac * (decimal)Math.Pow(2, shift);
            if (v > ulong.MaxValue)
            {
                return false;
            }

            bytes = (ulong)decimal.Truncate(v);
            return true;
        }

        return false;
    }

    /// <summary>Formats a power-of-two size the way Lotus prints sector sizes ("2KiB", "32GiB").</summary>
    public static string Format(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var unit = 0;
        var v = bytes;
        while (v >= 1024 && v % 1024 == 0 && unit < units.Length - 1)
        {
            v /= 1024;
            unit++;
        }

        return v.ToString(CultureInfo.InvariantCulture) + units[unit];
    }
}
