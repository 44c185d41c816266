using System.Formats.Cbor;
using System.Text.Json.Serialization;

namespace Kiln.Api.Chain;

/// <summary>go-state-types builtin/v16/miner <c>VerifiedAllocationKey</c>: CBOR 2-tuple Client (actor id), ID (allocation id).</summary>
public sealed record VerifiedAllocationKey(ulong Client, [property: JsonPropertyName("ID")] ulong Id)
{
    internal void Write(CborWriter w)
    {
        w.WriteStartArray(2);
        w.WriteUInt64(Client);
        w.WriteUInt64(Id);
        w.WriteEndArray();
    }

    internal static VerifiedAllocationKey Read(ChainCborReader d, string path)
    {
        d.ReadTuple(path, 2, "VerifiedAllocationKey");
        var key = new VerifiedAllocationKey(d.ReadUInt64(CborPath.Field(path, "Client")), d.ReadUInt64(CborPath.Field(path, "ID")));
        d.ReadEndArray(path);
        return key;
    }
}
