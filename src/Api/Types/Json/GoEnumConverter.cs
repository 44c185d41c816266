using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary>
/// A Go integer type with named constants (<c>abi.RegisteredSealProof</c>, <c>SectorFileType</c>): a JSON number,
/// and a decimal-string key in maps. Any value of the underlying type is accepted, as Go does.
/// </summary>
internal sealed class GoEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            throw new JsonException($"{typeof(TEnum).Name} must be an integer, got {reader.TokenType}");
        }

        return FromInt64(value);
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(ToInt64(value));

    public override TEnum ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ParseKey(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
        writer.WritePropertyName(FormatKey(value));

    internal static string FormatKey(TEnum value) => ToInt64(value).ToString(CultureInfo.InvariantCulture);

    internal static TEnum ParseKey(string key) =>
        long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? FromInt64(value)
            : throw new JsonException($"{typeof(TEnum).Name} map key must be a decimal integer, got '{key}'");

    private static long ToInt64(TEnum value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static TEnum FromInt64(long value)
    {
        var underlying = Enum.GetUnderlyingType(typeof(TEnum));
        if (underlying == typeof(int) && value is < int.MinValue or > int.MaxValue)
        {
            throw new JsonException($"{typeof(TEnum).Name} value {value} is out of range");
        }

        return (TEnum)Enum.ToObject(typeof(TEnum), value);
    }
}
