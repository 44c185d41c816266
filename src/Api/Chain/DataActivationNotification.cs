using System.Formats.Cbor;

namespace Kiln.Api.Chain;

/// <summary>go-state-types builtin/v16/miner <c>DataActivationNotification</c>: CBOR 2-tuple Address, Payload (byte string).</summary>
#pragma warning disable CA1819 // the payload is a CBOR blob, as go-state-types' []byte
public sealed record DataActivationNotification(Address Address, byte[] Payload)
#pragma warning restore CA1819
{
    public bool Equals(DataActivationNotification? other) =>
        other is not null && Address == other.Address && (Payload ?? []).AsSpan().SequenceEqual(other.Payload ?? []);

    public override int GetHashCode() => HashCode.Combine(Address, Payload?.Length ?? 0);

    internal void Write(CborWriter w)
    {
        w.WriteStartArray(2);
        ChainCbor.WriteAddress(w, Address);
        w.WriteByteString(Payload ?? []);
        w.WriteEndArray();
    }

    internal static DataActivationNotification Read(ChainCborReader d, string path)
    {
        d.ReadTuple(path, 2, "DataActivationNotification");
        var notification = new DataActivationNotification(d.ReadAddress(CborPath.Field(path, "Address")), d.ReadByteString(CborPath.Field(path, "Payload")));
        d.ReadEndArray(path);
        return notification;
    }
}
