using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary>
/// Go's set idiom <c>map[K]struct{}</c>: <c>{"seal/v0/precommit/2":{}}</c>, keys sorted like any Go map, <c>null</c>
/// for a null set. Handles <see cref="HashSet{T}"/>, <see cref="ISet{T}"/> and <see cref="IReadOnlySet{T}"/>.
/// </summary>
internal sealed class GoSetConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => ElementType(typeToConvert) is not null;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(GoSetConverter<,>).MakeGenericType(typeToConvert, ElementType(typeToConvert)!))!;

    private static Type? ElementType(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var def = type.GetGenericTypeDefinition();
        if (def != typeof(HashSet<>) && def != typeof(ISet<>) && def != typeof(IReadOnlySet<>))
        {
            return null;
        }

        var element = type.GetGenericArguments()[0];
        return GoMapConverterFactory.IsKeySupported(element) ? element : null;
    }

    private sealed class GoSetConverter<TSet, TKey> : JsonConverter<TSet>
        where TKey : notnull
    {
        public override TSet? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"set must be a JSON object like {{\"<key>\":{{}}}}, got {reader.TokenType}");
            }

            var set = new HashSet<TKey>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = GoMapKey<TKey>.Parse!(reader.GetString()!);
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new JsonException($"set entry '{key}' must have the value {{}}, got {reader.TokenType}");
                }

                reader.Skip();
                set.Add(key);
            }

            return (TSet)(object)set;
        }

        public override void Write(Utf8JsonWriter writer, TSet value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var key in ((IEnumerable<TKey>)value!).Select(GoMapKey<TKey>.Format!).Order(StringComparer.Ordinal))
            {
                writer.WritePropertyName(key);
                writer.WriteStartObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }
    }
}
