
namespace Kiln.Testing.Chain;

/// <summary>CIDv1 bytes ↔ multibase base32 text ('b' prefix), and the CIDs the stand-in mints.</summary>
public static class CidText
{
    /// <summary>Multicodec dag-cbor.</summary>
    public const ulong DagCbor = 0x71;

    /// <summary>Multicodec fil-commitment-sealed.</summary>
    public const ulong FilCommitmentSealed = 0xf102;

    /// <summary>Multicodec fil-commitment-unsealed.</summary>
    public const ulong FilCommitmentUnsealed = 0xf101;

    /// <summary>Multihash blake2b-256.</summary>
    public const ulong Blake2b256 = 0xb220;

    /// <summary>Multihash poseidon-bls12_381-a2-fc1 (comm_r).</summary>
    public const ulong PoseidonBls12381A2Fc1 = 0xb401;

    /// <summary>Multihash sha2-256-trunc254-padded (comm_d).</summary>
    public const ulong Sha256Trunc254Padded = 0x1012;

    public static string Encode(ReadOnlySpan<byte> cid) => "b" + Base32Lower.Encode(cid);

    /// <exception cref="FormatException">Not a base32 CIDv1.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2 || text[0] != 'b')
        {
            throw new FormatException($"\"{text}\" is not a base32 ('b') CIDv1");
        }

        var bytes = Base32Lower.Decode(text[1..]);
        _ = Parse(bytes);
        return bytes;
    }

    /// <summary>Version, codec, multihash code and digest of CID bytes.</summary>
    public static (ulong Codec, ulong HashCode, byte[] Digest) Parse(ReadOnlySpan<byte> cid)
    {
        var offset = 0;
        var version = Varint.Read(cid, ref offset);
        if (version != 1)
        {
            throw new FormatException($"CID version {version}, expected 1");
        }

        var codec = Varint.Read(cid, ref offset);
        var hash = Varint.Read(cid, ref offset);
        var length = Varint.Read(cid, ref offset);
        if (length != (ulong)(cid.Length - offset))
        {
            throw new FormatException($"CID multihash says {length} digest bytes, {cid.Length - offset} follow");
        }

        return (codec, hash, cid[offset..].ToArray());
    }

    public static byte[] Build(ulong codec, ulong hashCode, ReadOnlySpan<byte> digest) =>
        [.. Varint.Encode(1), .. Varint.Encode(codec), .. Varint.Encode(hashCode), .. Varint.Encode((ulong)digest.Length), .. digest];

    /// <summary>The dag-cbor blake2b-256 CID of <paramref name="cbor"/> (a Filecoin message's or block's CID).</summary>
    public static byte[] OfDagCbor(ReadOnlySpan<byte> cbor)
    {
        return Build(DagCbor, Blake2b256, Blake2bHash.Hash(cbor, 32));
    }
}
