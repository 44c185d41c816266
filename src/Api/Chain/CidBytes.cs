using Kiln.Api.Types;
using Kiln.Proofs.Hashing;

namespace Kiln.Api.Chain;

/// <summary>Binary CIDv1 helpers: go-cid <c>Cast</c>'s checks and the dag-cbor blake2b-256 CID of a block.</summary>
internal static class CidBytes
{
    /// <summary>Multicodec dag-cbor.</summary>
    public const ulong DagCbor = 0x71;

    /// <summary>Multihash blake2b-256.</summary>
    public const ulong Blake2b256 = 0xb220;

    /// <summary>
    /// go-cid <c>Cast</c> of a CIDv1: varint version 1, varint codec, then a multihash (varint code, varint digest
    /// length, exactly that many digest bytes), nothing after it.
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> cid, out string problem)
    {
        var rest = cid;
        if (!Leb128.TryRead(ref rest, out var version) || version != 1)
        {
            problem = cid.IsEmpty ? "empty CID" : $"not a CIDv1 (version byte 0x{cid[0]:x2})";
            return false;
        }

        if (!Leb128.TryRead(ref rest, out _) || !Leb128.TryRead(ref rest, out _) || !Leb128.TryRead(ref rest, out var digestLength))
        {
            problem = "CID codec or multihash header is truncated or not a minimal varint";
            return false;
        }

        if ((ulong)rest.Length != digestLength)
        {
            problem = $"CID multihash says {digestLength} digest bytes, {rest.Length} follow";
            return false;
        }

        problem = "";
        return true;
    }

    /// <summary>CIDv1 dag-cbor blake2b-256 of <paramref name="block"/> (go-cid <c>Prefix.Sum</c>, as Lotus's <c>ToStorageBlock</c>).</summary>
    public static Cid DagCborBlake2b256(ReadOnlySpan<byte> block)
    {
        // 0x01 version ‖ 0x71 dag-cbor ‖ 0xa0 0xe4 0x02 (varint 0xb220) ‖ 0x20 length ‖ 32-byte digest.
        Span<byte> bytes = stackalloc byte[38];
        bytes[0] = 0x01;
        bytes[1] = (byte)DagCbor;
        bytes[2] = 0xa0;
        bytes[3] = 0xe4;
        bytes[4] = 0x02;
        bytes[5] = 32;
        Blake2b.HashData(block, bytes[6..]);
        return Cid.FromBytes(bytes);
    }
}
