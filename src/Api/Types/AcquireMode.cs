using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.AcquireMode</c>: whether fetching a sector moves it (<c>"move"</c>) or copies it (<c>"copy"</c>).</summary>
[JsonConverter(typeof(GoStringEnumConverter<AcquireMode>))]
public enum AcquireMode
{
    [JsonStringEnumMemberName("move")]
    Move,

    [JsonStringEnumMemberName("copy")]
    Copy,
}
