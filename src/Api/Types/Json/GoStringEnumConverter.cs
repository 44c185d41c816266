using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary>
/// A Go string type with a closed set of values (<c>PathType</c>, <c>AcquireMode</c>): exactly the
/// <see cref="JsonStringEnumMemberNameAttribute"/> names, case-sensitive; numbers and other strings fail.
/// </summary>
internal sealed class GoStringEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private static readonly (TEnum Value, string Name)[] s_names =
    [
        .. typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => ((TEnum)f.GetValue(null)!, f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name)),
    ];

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        foreach (var (value, name) in s_names)
        {
            if (name == text)
            {
                return value;
            }
        }

        var expected = string.Join(", ", s_names.Select(n => $"\"{n.Name}\""));
        throw new JsonException(text is null
            ? $"{typeof(TEnum).Name} must be a string ({expected}), got {reader.TokenType}"
            : $"unknown {typeof(TEnum).Name} '{text}', expected one of {expected}");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        foreach (var (v, name) in s_names)
        {
            if (EqualityComparer<TEnum>.Default.Equals(v, value))
            {
                writer.WriteStringValue(name);
                return;
            }
        }

        throw new JsonException($"{typeof(TEnum).Name} value {value} has no wire name");
    }
}
