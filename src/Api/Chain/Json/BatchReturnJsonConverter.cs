using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Api.Chain.Json;

/// <summary>go-state-types <c>batch.BatchReturn</c> JSON: <c>{"SuccessCount": n, "FailCodes": [{"Idx": i, "Code": c}]}</c>.</summary>
internal sealed class BatchReturnJsonConverter : JsonConverter<BatchReturn>
{
    public override BatchReturn Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var dto = JsonSerializer.Deserialize<Dto>(ref reader, options) ?? throw new JsonException("batch return must be an object, got null");
        return new BatchReturn(dto.SuccessCount, [.. (dto.FailCodes ?? []).Select(f => (f.Idx, f.Code))]);
    }

    public override void Write(Utf8JsonWriter writer, BatchReturn value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, new Dto(value.SuccessCount, [.. (value.FailCodes ?? []).Select(f => new FailCode(f.Index, f.ExitCode))]), options);

    private sealed record Dto(ulong SuccessCount, IReadOnlyList<FailCode>? FailCodes);

    private sealed record FailCode(ulong Idx, long Code);
}
