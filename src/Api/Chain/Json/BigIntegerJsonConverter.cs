using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Chain.Json;

/// <summary>
/// Lotus <c>types.BigInt</c> JSON for quantities that are not FIL (power, weight): a decimal string; <c>"&lt;nil&gt;"</c>
/// reads as 0.
/// </summary>
public sealed class BigIntegerJsonConverter : JsonConverter<BigInteger>
{
    public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"big integer must be a decimal string, got {reader.TokenType}");
        }

        var text = reader.GetString();
        if (text == "<nil>")
        {
            return BigInteger.Zero;
        }

        return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new JsonException($"big integer must be a decimal string, got \"{text}\"");
    }

    public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }
}
