using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary><see cref="ApiVersion"/> as Go's uint32: a bare JSON number.</summary>
internal sealed class ApiVersionJsonConverter : JsonConverter<ApiVersion>
{
    public override ApiVersion Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var value)
            ? new ApiVersion(value)
            : throw new JsonException($"API version must be a uint32 number, got {reader.TokenType}");

    public override void Write(Utf8JsonWriter writer, ApiVersion value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Value);
}
