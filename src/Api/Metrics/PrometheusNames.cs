using System.Globalization;
using System.Text;

namespace Kiln.Api.Metrics;

/// <summary>
/// OpenTelemetry's rules for Prometheus names (opentelemetry-specification, compatibility/prometheus_and_openmetrics):
/// dots and other invalid characters become underscores, the unit is spelled out as a suffix (<c>ms</c> →
/// <c>_milliseconds</c>, <c>By</c> → <c>_bytes</c>, <c>{request}</c> dropped), monotonic sums end in <c>_total</c>.
/// </summary>
internal static class PrometheusNames
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["bit"] = "bits",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    };

    /// <summary>The metric family name of an instrument: sanitized name, unit suffix, <c>_total</c> for counters.</summary>
    public static string Metric(string name, string? unit, bool monotonic, bool gauge)
    {
        var metric = Sanitize(name, allowColon: true);
        if (monotonic && metric.EndsWith("_total", StringComparison.Ordinal))
        {
            metric = metric[..^"_total".Length];
        }

        var suffix = UnitSuffix(unit, gauge);
        if (suffix.Length > 0 && !metric.EndsWith("_" + suffix, StringComparison.Ordinal) && metric != suffix)
        {
            metric += "_" + suffix;
        }

        return monotonic ? metric + "_total" : metric;
    }

    /// <summary>A label name: invalid characters become underscores, and a leading digit gets <c>key_</c> before it.</summary>
    public static string Label(string name)
    {
        var label = Sanitize(name, allowColon: false);
        return label.Length > 0 && char.IsAsciiDigit(label[0]) ? "key_" + label : label;
    }

    /// <summary>The unit as a name suffix: annotations in braces dropped, <c>X/Y</c> as <c>X_per_Y</c>, <c>1</c> as <c>ratio</c> on gauges.</summary>
    public static string UnitSuffix(string? unit, bool gauge)
    {
        if (string.IsNullOrEmpty(unit))
        {
            return "";
        }

        var bare = StripAnnotations(unit).Trim();
        if (bare == "1")
        {
            return gauge ? "ratio" : "";
        }

        var slash = bare.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return Spell(bare, Units);
        }

        var over = Spell(bare[..slash], Units);
        var under = Spell(bare[(slash + 1)..], PerUnits);
        return (over.Length, under.Length) switch
        {
            (0, 0) => "",
            (0, _) => "per_" + under,
            (_, 0) => over,
            _ => over + "_per_" + under,
        };
    }

    /// <summary>A sample value or bucket bound as Prometheus writes it: shortest round trip, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A tag value as label text: strings as they are, numbers and dates invariant, booleans lower case.</summary>
    public static string LabelValue(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        double d => Number(d),
        float f => Number(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Appends <paramref name="value"/> escaped for a label value (backslash, double quote, line feed).</summary>
    public static void AppendEscaped(StringBuilder text, string value, bool quotes = true)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                case '"' when quotes:
                    text.Append("\\\"");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
    }

    private static string Spell(string unit, Dictionary<string, string> table) =>
        unit.Length == 0 ? "" : table.TryGetValue(unit, out var word) ? word : Sanitize(unit, allowColon: false).Trim('_');

    private static string StripAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
        {
            return unit;
        }

        var text = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>Characters outside <c>[a-zA-Z0-9_]</c> (and <c>:</c> in metric names) become one underscore per run; a leading digit gets one before it.</summary>
    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            if (ok)
            {
                text.Append(c);
            }
            else if (text.Length == 0 || text[^1] != '_')
            {
                text.Append('_');
            }
        }

        if (allowColon && text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
