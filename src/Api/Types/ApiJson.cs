using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;
using Kiln.Proofs;

namespace Kiln.Api.Types;

/// <summary>
/// The JSON options every Lotus API payload uses: Go field names as they are (PascalCase, in struct order),
/// Go's encodings of byte arrays (padded base64, <c>null</c>), CIDs (<c>{"/":...}</c>), maps (keys as strings,
/// sorted), <c>map[K]struct{}</c> sets, <c>time.Time</c> (RFC 3339), <c>time.Duration</c> (ns) and big ints
/// (decimal strings), as Go's encoding/json, go-cid's <c>Cid.MarshalJSON</c> and go-state-types' <c>big.Int.MarshalJSON</c>
/// write them for Lotus's API structs.
/// </summary>
/// <remarks>
/// Strings are escaped like Go except that <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> are left as they are
/// (Go writes <c>\u003c</c>...); both decode to the same text. <c>+</c> and <c>/</c> in base64 stay unescaped, as in Go.
/// </remarks>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = null,
            DictionaryKeyPolicy = null,
            PropertyNameCaseInsensitive = true, // Go matches field names case-insensitively too
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.Strict,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        o.Converters.Add(new GoMapConverterFactory());
        o.Converters.Add(new GoSetConverterFactory());
        o.Converters.Add(new GoTimeConverter());
        o.Converters.Add(new GoDurationConverter());
        o.Converters.Add(new GoBigIntConverter());
        // The proof ids live in Kiln.Proofs, which knows nothing of JSON: go-state-types writes them as numbers.
        o.Converters.Add(new GoEnumConverter<RegisteredSealProof>());
        o.Converters.Add(new GoEnumConverter<RegisteredPoStProof>());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
