using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary><see cref="StorageId"/> as a plain string, as a value and as a map key.</summary>
internal sealed class StorageIdJsonConverter : JsonConverter<StorageId>
{
    public override StorageId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? new StorageId(reader.GetString()!)
            : throw new JsonException($"storage id must be a string, got {reader.TokenType}");

    public override void Write(Utf8JsonWriter writer, StorageId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());

    public override StorageId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, StorageId value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.ToString());
}
