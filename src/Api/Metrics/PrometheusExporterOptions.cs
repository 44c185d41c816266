using System.Diagnostics.Metrics;

namespace Kiln.Api.Metrics;

/// <summary>Which meters a <see cref="PrometheusExporter"/> listens to.</summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>The meters of Kiln (<c>Kiln.Stores</c>, <c>Kiln.Miner</c>, <c>Kiln.Worker</c>) and the runtime's own.</summary>
    public static readonly IReadOnlyList<string> DefaultMeterPrefixes = ["Kiln", "System.Runtime"];

    /// <summary>
    /// A meter is exported when its name equals one of these or starts with one followed by a dot (so <c>Kiln</c>
    /// takes <c>Kiln.Stores</c> but not <c>KilnTests</c>). Default: <see cref="DefaultMeterPrefixes"/>.
    /// </summary>
    public IReadOnlyList<string> MeterPrefixes { get; init; } = DefaultMeterPrefixes;

    /// <summary>
    /// When set, meters created with a scope (<see cref="Meter.Scope"/>, e.g. through a host's
    /// <see cref="IMeterFactory"/>) are exported only when it is this one, so two hosts in one process each export
    /// their own; meters without a scope (static ones, shared by the process) are always exported. Default: null
    /// (every scope).
    /// </summary>
    public object? Scope { get; init; }

    internal bool Accepts(Meter meter)
    {
        if (Scope is not null && meter.Scope is not null && !ReferenceEquals(meter.Scope, Scope))
        {
            return false;
        }

        foreach (var prefix in MeterPrefixes)
        {
            if (meter.Name.StartsWith(prefix, StringComparison.Ordinal) && (meter.Name.Length == prefix.Length || meter.Name[prefix.Length] == '.'))
            {
                return true;
            }
        }

        return false;
    }
}
