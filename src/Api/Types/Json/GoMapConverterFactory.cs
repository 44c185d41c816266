using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary>
/// Go maps: an object whose keys are written sorted by their string form (byte order, as encoding/json does,
/// so <c>"10"</c> comes before <c>"2"</c>), <c>null</c> for a null map. Handles <see cref="Dictionary{TKey,TValue}"/>,
/// <see cref="IDictionary{TKey,TValue}"/> and <see cref="IReadOnlyDictionary{TKey,TValue}"/> with the key types of
/// <see cref="GoMapKey{TKey}"/>.
/// </summary>
internal sealed class GoMapConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => KeyAndValue(typeToConvert) is not null;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var (key, value) = KeyAndValue(typeToConvert)!.Value;
        return (JsonConverter)Activator.CreateInstance(typeof(GoMapConverter<,,>).MakeGenericType(typeToConvert, key, value))!;
    }

    private static (Type Key, Type Value)? KeyAndValue(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var def = type.GetGenericTypeDefinition();
        if (def != typeof(Dictionary<,>) && def != typeof(IDictionary<,>) && def != typeof(IReadOnlyDictionary<,>))
        {
            return null;
        }

        var args = type.GetGenericArguments();
        return IsKeySupported(args[0]) ? (args[0], args[1]) : null;
    }

    /// <summary>Whether Go could use <paramref name="keyType"/> as a map key (see <see cref="GoMapKey{TKey}"/>).</summary>
    internal static bool IsKeySupported(Type keyType) =>
        (bool)typeof(GoMapKey<>).MakeGenericType(keyType).GetProperty(nameof(GoMapKey<string>.Supported))!.GetValue(null)!;

    private sealed class GoMapConverter<TMap, TKey, TValue> : JsonConverter<TMap>
        where TKey : notnull
    {
        public override TMap? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"map must be a JSON object, got {reader.TokenType}");
            }

            var map = new Dictionary<TKey, TValue>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = GoMapKey<TKey>.Parse!(reader.GetString()!);
                reader.Read();
                map[key] = JsonSerializer.Deserialize<TValue>(ref reader, options)!;
            }

            return (TMap)(object)map;
        }

        public override void Write(Utf8JsonWriter writer, TMap value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            var entries = ((IEnumerable<KeyValuePair<TKey, TValue>>)value!)
                .Select(e => (Key: GoMapKey<TKey>.Format!(e.Key), e.Value))
                .OrderBy(e => e.Key, StringComparer.Ordinal);
            foreach (var (key, item) in entries)
            {
                writer.WritePropertyName(key);
                JsonSerializer.Serialize(writer, item, options);
            }

            writer.WriteEndObject();
        }
    }
}
