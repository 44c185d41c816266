using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary>go-cid's JSON: <c>{"/":"&lt;cid&gt;"}</c>, <c>null</c> for <c>cid.Undef</c>.</summary>
internal sealed class CidJsonConverter : JsonConverter<Cid>
{
    public override bool HandleNull => true;

    public override Cid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return Cid.Undef;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"cid must be an object {{\"/\":\"<cid>\"}} or null, got {reader.TokenType}");
        }

        string? text = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString();
            reader.Read();
            if (key != "/" || reader.TokenType != JsonTokenType.String || text is not null)
            {
                throw new JsonException($"cid must be an object {{\"/\":\"<cid>\"}}, got key '{key}' with {reader.TokenType}");
            }

            text = reader.GetString();
        }

        if (text is null)
        {
            throw new JsonException("cid object has no \"/\" key");
        }

        try
        {
            return Cid.Parse(text);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Cid value, JsonSerializerOptions options)
    {
        if (!value.IsDefined)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("/", value.ToString());
        writer.WriteEndObject();
    }
}
