using System.Formats.Cbor;
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>PieceActivationManifest</c>: CBOR 4-tuple CID (tag 42), Size (padded, uint64),
/// VerifiedAllocationKey (null or its 2-tuple), Notify (array).
/// </summary>
public sealed record PieceActivationManifest(Cid CID, ulong Size, VerifiedAllocationKey? VerifiedAllocationKey, IReadOnlyList<DataActivationNotification> Notify)
{
    public bool Equals(PieceActivationManifest? other) =>
        other is not null && CID == other.CID && Size == other.Size && VerifiedAllocationKey == other.VerifiedAllocationKey
        && (Notify ?? []).SequenceEqual(other.Notify ?? []);

    public override int GetHashCode() => HashCode.Combine(CID, Size, VerifiedAllocationKey);

    internal void Write(CborWriter w)
    {
        var notify = Notify ?? [];
        w.WriteStartArray(4);
        ChainCbor.WriteCid(w, CID);
        w.WriteUInt64(Size);
        if (VerifiedAllocationKey is null)
        {
            w.WriteNull();
        }
        else
        {
            VerifiedAllocationKey.Write(w);
        }

        w.WriteStartArray(notify.Count);
        foreach (var n in notify)
        {
            n.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndArray();
    }

    internal static PieceActivationManifest Read(ChainCborReader d, string path)
    {
        d.ReadTuple(path, 4, "PieceActivationManifest");
        var cid = d.ReadCid(CborPath.Field(path, "CID"));
        var size = d.ReadUInt64(CborPath.Field(path, "Size"));
        var keyPath = CborPath.Field(path, "VerifiedAllocationKey");
        var key = d.TryReadNull(keyPath) ? null : VerifiedAllocationKey.Read(d, keyPath);
        var notifyPath = CborPath.Field(path, "Notify");
        var count = d.ReadSliceHeader(notifyPath);
        var notify = new DataActivationNotification[count];
        for (var i = 0; i < count; i++)
        {
            notify[i] = DataActivationNotification.Read(d, CborPath.Index(notifyPath, i));
        }

        d.ReadEndArray(notifyPath);
        d.ReadEndArray(path);
        return new PieceActivationManifest(cid, size, key, notify);
    }
}
