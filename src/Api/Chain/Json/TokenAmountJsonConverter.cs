using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Chain.Json;

/// <summary>
/// go-state-types <c>big.Int</c> JSON: a decimal string of attoFIL (<c>"0"</c>, <c>"-12"</c>); <c>"&lt;nil&gt;"</c> (a nil
/// big.Int) reads as 0.
/// </summary>
internal sealed class TokenAmountJsonConverter : JsonConverter<TokenAmount>
{
    public override TokenAmount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            if (text == "<nil>")
            {
                return TokenAmount.Zero;
            }

            if (BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return new TokenAmount(value);
            }

            throw new JsonException($"token amount must be a decimal string of attoFIL, got \"{text}\"");
        }

        throw new JsonException($"token amount must be a decimal string of attoFIL, got {reader.TokenType}");
    }

    public override void Write(Utf8JsonWriter writer, TokenAmount value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Atto.ToString(CultureInfo.InvariantCulture));
}
