using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types;

/// <summary>
/// The JSON options every Lotus API payload uses: Go field names as they are (PascalCase), Go's
/// encodings of byte arrays, CIDs, big ints and integer-keyed maps (lotus-protocol.md §1.6, §3),
/// registered through the converters of <see cref="Kiln.Api.Types"/>.
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.Strict,
        };
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
