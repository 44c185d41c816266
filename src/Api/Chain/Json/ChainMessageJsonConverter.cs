using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln.Api.Types;

namespace Kiln.Api.Chain.Json;

/// <summary>
/// Lotus <c>types.Message</c> JSON as chain/types/message.go <c>MarshalJSON</c> writes it: the fields in struct order,
/// then <c>"CID"</c> (the message's CID). Reading ignores <c>"CID"</c>, as Go's decoder does, and unknown fields.
/// </summary>
internal sealed class ChainMessageJsonConverter : JsonConverter<ChainMessage>
{
    public override ChainMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"message must be an object, got {reader.TokenType}");
        }

        var m = new ChainMessage();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            m = name?.ToUpperInvariant() switch
            {
                "VERSION" => m with { Version = JsonSerializer.Deserialize<ulong>(ref reader, options) },
                "TO" => m with { To = JsonSerializer.Deserialize<Address>(ref reader, options) },
                "FROM" => m with { From = JsonSerializer.Deserialize<Address>(ref reader, options) },
                "NONCE" => m with { Nonce = JsonSerializer.Deserialize<ulong>(ref reader, options) },
                "VALUE" => m with { Value = JsonSerializer.Deserialize<TokenAmount>(ref reader, options) },
                "GASLIMIT" => m with { GasLimit = JsonSerializer.Deserialize<long>(ref reader, options) },
                "GASFEECAP" => m with { GasFeeCap = JsonSerializer.Deserialize<TokenAmount>(ref reader, options) },
                "GASPREMIUM" => m with { GasPremium = JsonSerializer.Deserialize<TokenAmount>(ref reader, options) },
                "METHOD" => m with { Method = JsonSerializer.Deserialize<ulong>(ref reader, options) },
                "PARAMS" => m with { Params = JsonSerializer.Deserialize<byte[]?>(ref reader, options) ?? [] },
                _ => Skip(ref reader, m),
            };
        }

        return m;
    }

    public override void Write(Utf8JsonWriter writer, ChainMessage value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("Version", value.Version);
        writer.WriteString("To", value.To.ToString());
        writer.WriteString("From", value.From.ToString());
        writer.WriteNumber("Nonce", value.Nonce);
        writer.WritePropertyName("Value");
        JsonSerializer.Serialize(writer, value.Value, options);
        writer.WriteNumber("GasLimit", value.GasLimit);
        writer.WritePropertyName("GasFeeCap");
        JsonSerializer.Serialize(writer, value.GasFeeCap, options);
        writer.WritePropertyName("GasPremium");
        JsonSerializer.Serialize(writer, value.GasPremium, options);
        writer.WriteNumber("Method", value.Method);
        writer.WritePropertyName("Params");
        // Go writes a nil []byte as null and an empty one as ""; Lotus builds messages with nil params when there are none.
        if (value.Params is { Length: > 0 } p)
        {
            writer.WriteBase64StringValue(p);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("CID");
        JsonSerializer.Serialize(writer, value.To.IsDefined && value.From.IsDefined ? value.Cid() : Cid.Undef, options);
        writer.WriteEndObject();
    }

    private static ChainMessage Skip(ref Utf8JsonReader reader, ChainMessage m)
    {
        reader.Skip();
        return m;
    }
}
