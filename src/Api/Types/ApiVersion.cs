using System.Globalization;
using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>api.Version</c> (uint32, a JSON number): <c>major&lt;&lt;16 | minor&lt;&lt;8 | patch</c> (lotus: api/version.go).
/// </summary>
[JsonConverter(typeof(ApiVersionJsonConverter))]
public readonly record struct ApiVersion(uint Value)
{
    /// <summary><c>MinerAPIVersion0</c> = 1.5.0 (66816): a lotus-worker refuses any other miner <c>APIVersion</c>.</summary>
    public static ApiVersion Miner { get; } = Create(1, 5, 0);

    /// <summary><c>WorkerAPIVersion0</c> = 1.7.0 (67328): the miner requires major.minor 1.7 of a worker.</summary>
    public static ApiVersion Worker { get; } = Create(1, 7, 0);

    public uint Major => (Value >> 16) & 0xff;

    public uint Minor => (Value >> 8) & 0xff;

    public uint Patch => Value & 0xff;

    public static ApiVersion Create(uint major, uint minor, uint patch) => new((major << 16) | (minor << 8) | patch);

    /// <summary>Go's <c>EqMajorMinor</c>: what the miner checks in <c>WorkerConnect</c>.</summary>
    public bool EqualsMajorMinor(ApiVersion other) => Major == other.Major && Minor == other.Minor;

    /// <summary>Go's <c>Version.String()</c>: <c>"1.7.0"</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
}
