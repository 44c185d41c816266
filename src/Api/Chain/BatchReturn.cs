using System.Text.Json.Serialization;
using Kiln.Api.Chain.Json;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types batch/batch_return.go <c>BatchReturn</c>: the success count and the failures (index into the batch,
/// exit code). CBOR (batch/cbor_gen.go): 2-tuple SuccessCount, FailCodes (array of 2-tuples Idx, Code).
/// JSON: <c>{"SuccessCount": n, "FailCodes": [{"Idx": i, "Code": c}]}</c>.
/// </summary>
[JsonConverter(typeof(BatchReturnJsonConverter))]
public sealed record BatchReturn(ulong SuccessCount, IReadOnlyList<(ulong Index, long ExitCode)> FailCodes)
{
    private const string Context = "BatchReturn";

    public byte[] ToCbor()
    {
        var fails = FailCodes ?? [];
        var w = ChainCbor.NewWriter();
        w.WriteStartArray(2);
        w.WriteUInt64(SuccessCount);
        w.WriteStartArray(fails.Count);
        foreach (var (index, exitCode) in fails)
        {
            w.WriteStartArray(2);
            w.WriteUInt64(index);
            w.WriteInt64(exitCode);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndArray();
        return w.Encode();
    }

    /// <exception cref="FormatException">Not a BatchReturn; the message names the field.</exception>
    public static BatchReturn FromCbor(ReadOnlyMemory<byte> cbor)
    {
        var d = new ChainCborReader(cbor, Context);
        d.ReadTuple("", 2, "BatchReturn");
        var success = d.ReadUInt64("SuccessCount");
        var count = d.ReadSliceHeader("FailCodes");
        var fails = new (ulong, long)[count];
        for (var i = 0; i < count; i++)
        {
            var path = CborPath.Index("FailCodes", i);
            d.ReadTuple(path, 2, "FailCode");
            fails[i] = (d.ReadUInt64(CborPath.Field(path, "Idx")), d.ReadInt64(CborPath.Field(path, "Code")));
            d.ReadEndArray(path);
        }

        d.ReadEndArray("FailCodes");
        d.ReadEndArray("");
        d.ReadEnd();
        return new BatchReturn(success, fails);
    }

    public bool Equals(BatchReturn? other) =>
        other is not null && SuccessCount == other.SuccessCount && (FailCodes ?? []).SequenceEqual(other.FailCodes ?? []);

    public override int GetHashCode() => HashCode.Combine(SuccessCount, FailCodes?.Count ?? 0);
}
