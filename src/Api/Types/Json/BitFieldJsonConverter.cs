using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary>go-bitfield's JSON: an array of run lengths, absent run first (see <see cref="BitField"/>); <c>null</c> reads as empty.</summary>
internal sealed class BitFieldJsonConverter : JsonConverter<BitField>
{
    public override bool HandleNull => true;

    public override BitField Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return BitField.Empty;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"bitfield must be an array of run lengths, got {reader.TokenType}");
        }

        var runs = new List<ulong>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out var run))
            {
                throw new JsonException($"bitfield run lengths must be unsigned integers, got {reader.TokenType}");
            }

            runs.Add(run);
        }

        try
        {
            return BitField.FromRuns(runs);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, BitField value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var run in value.ToRuns())
        {
            writer.WriteNumberValue(run);
        }

        writer.WriteEndArray();
    }
}
