using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary>Go's <c>time.Duration</c> JSON: an integer count of nanoseconds.</summary>
internal sealed class GoDurationConverter : JsonConverter<TimeSpan>
{
    private const long NanosecondsPerTick = 100;

    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var ns))
        {
            throw new JsonException($"duration must be an integer number of nanoseconds, got {reader.TokenType}");
        }

        return TimeSpan.FromTicks(ns / NanosecondsPerTick);
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Ticks * NanosecondsPerTick);
}
