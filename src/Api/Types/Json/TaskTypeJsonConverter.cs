using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Types.Json;

/// <summary><see cref="TaskType"/> as its Lotus string id, as a value and as a map key (unknown ids: <see cref="TaskTypes.FromWire"/>).</summary>
internal sealed class TaskTypeJsonConverter : JsonConverter<TaskType>
{
    public override TaskType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"task type must be a string like \"seal/v0/precommit/1\", got {reader.TokenType}");
        }

        return Parse(reader.GetString()!);
    }

    public override void Write(Utf8JsonWriter writer, TaskType value, JsonSerializerOptions options) =>
        writer.WriteStringValue(TaskTypes.Id(value));

    public override TaskType ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, TaskType value, JsonSerializerOptions options) =>
        writer.WritePropertyName(TaskTypes.Id(value));

    /// <summary>
    /// Lotus decodes any string as a task type; Kiln keeps an unknown but well-formed id (a newer lotus-worker's
    /// task) as an unknown <see cref="TaskType"/> that round-trips, and rejects anything else.
    /// </summary>
    internal static TaskType Parse(string id)
    {
        try
        {
            return TaskTypes.FromWire(id);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }
}
