using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.PathType</c>: which kind of path to allocate in, <c>"sealing"</c> or <c>"storage"</c>.</summary>
[JsonConverter(typeof(GoStringEnumConverter<PathType>))]
public enum PathType
{
    [JsonStringEnumMemberName("sealing")]
    Sealing,

    [JsonStringEnumMemberName("storage")]
    Storage,
}
