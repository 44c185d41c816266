using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Chain.Json;

/// <summary>
/// go-address JSON: the address text (<c>"f01000"</c>). An undefined address writes as <c>"&lt;empty&gt;"</c> (go-address's
/// <c>String()</c> of <c>Undef</c>, which its decoder reads back as <c>Undef</c>); <c>null</c>, <c>""</c> and
/// <c>"&lt;empty&gt;"</c> read as undefined.
/// </summary>
internal sealed class AddressJsonConverter : JsonConverter<Address>
{
    public override bool HandleNull => true;

    public override Address Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"address must be a string (\"f01000\"), got {reader.TokenType}");
        }

        var text = reader.GetString()!;
        if (text.Length == 0 || text == "<empty>")
        {
            return default;
        }

        try
        {
            return Address.Parse(text);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
