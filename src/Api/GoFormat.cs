using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Kiln.Api;

/// <summary>Formats durations and byte rates exactly as lotus-bench prints them (Go time.Duration, lotus types.SizeStr).</summary>
public static partial class GoFormat
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

    /// <summary>Go's time.Duration.String(): "25.23225ms", "1.5s", "2m3.004s", "1h0m0s".</summary>
    public static string Duration(TimeSpan d)
    {
        var ns = d.Ticks * 100;
        if (ns == 0)
        {
            return "0s";
        }

        var neg = ns < 0;
        var u = (ulong)Math.Abs(ns);
        string s;
        if (u < 1_000_000_000)
        {
            // sub-second: ns, µs or ms with fraction
            (ulong unit, string name) = u < 1_000 ? (1UL, "ns") : u < 1_000_000 ? (1_000UL, "µs") : (1_000_000UL, "ms");
            s = Fraction(u, unit) + name;
        }
        else
        {
            var sb = new StringBuilder();
            var hours = u / 3_600_000_000_000;
            var rem = u % 3_600_000_000_000;
            var minutes = rem / 60_000_000_000;
            rem %= 60_000_000_000;
            if (hours > 0)
            {
                sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
            }

            if (hours > 0 || minutes > 0)
            {
                sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
            }

            sb.Append(Fraction(rem, 1_000_000_000)).Append('s');
            s = sb.ToString();
        }

        return neg ? "-" + s : s;
    }

    /// <summary>value/unit with the fraction's trailing zeros removed (Go fmtFrac).</summary>
    private static string Fraction(ulong value, ulong unit)
    {
        var whole = value / unit;
        var frac = value % unit;
        if (frac == 0)
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }

        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        var f = frac.ToString("D" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + "." + f;
    }

    /// <summary>lotus types.SizeStr: divide by 1024 while ≥ 1024, print with Go's %.4g and the unit.</summary>
    public static string SizeStr(BigInteger bytes)
    {
        var f = (double)bytes;
        var i = 0;
        while (f >= 1024 && i + 1 < ByteUnits.Length)
        {
            f /= 1024;
            i++;
        }

        return FormatG4(f) + " " + ByteUnits[i];
    }

    /// <summary>lotus-bench bps(): bytes × count per second of the duration.</summary>
    public static string Bps(ulong bytes, int count, TimeSpan took)
    {
        var ns = took.Ticks * 100;
        if (ns <= 0)
        {
            return "Nan";
        }

        var rate = new BigInteger(bytes) * count * 1_000_000_000 / ns;
        return SizeStr(rate) + "/s";
    }

    /// <summary>Go's %.4g: 4 significant digits, no trailing zeros, exponent form outside [1e-4, 1e4).</summary>
    internal static string FormatG4(double f)
    {
        if (f == 0)
        {
            return "0";
        }

        var rounded = double.Parse(f.ToString("E3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var exp = (int)Math.Floor(Math.Log10(Math.Abs(rounded)));
        if (exp < -4 || exp >= 4)
        {
            var mant = rounded / Math.Pow(10, exp);
            var m = mant.ToString("0.###", CultureInfo.InvariantCulture);
            return m + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }

        var decimals = Math.Max(0, 3 - exp);
        var text = rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary>A Go <c>time.Duration</c> flag value: <c>0</c>, or numbers with units, e.g. <c>30s</c>, <c>1m30s</c>, <c>500ms</c>.</summary>
    /// <exception cref="ArgumentException">Not a duration.</exception>
    public static TimeSpan ParseDuration(string text, string flag)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        var parts = GoDurationPart().Matches(text);
        if (parts.Count == 0 || parts.Sum(m => m.Length) != text.Length)
        {
            throw new ArgumentException($"invalid {flag} '{text}': expected a duration such as 30s, 5m or 1h30m");
        }

        var ticks = 0.0;
        foreach (Match m in parts)
        {
            var n = double.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            ticks += n * m.Groups[2].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex GoDurationPart();
}
