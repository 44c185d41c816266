using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Kiln.Proofs.Multiformats;

/// <summary>
/// Filecoin commitment CIDs (go-fil-commcid): CIDv1 ‖ codec ‖ multihash code ‖ 32 ‖ commitment, as
/// multibase base32 lower-case ('b'). Piece/unsealed CIDs (<c>baga6ea4seaq…</c>) use codec 0xf101 and
/// multihash 0x1012; sealed CIDs (<c>bagboea4b5abc…</c>) use codec 0xf102 and multihash 0xb401.
/// </summary>
public static class CommCid
{
    /// <summary>Codec fil-commitment-unsealed.</summary>
    public const ulong FilCommitmentUnsealed = 0xf101;

    /// <summary>Codec fil-commitment-sealed.</summary>
    public const ulong FilCommitmentSealed = 0xf102;

    /// <summary>Multihash sha2-256-trunc254-padded.</summary>
    public const ulong Sha256Trunc254Padded = 0x1012;

    /// <summary>Multihash poseidon-bls12_381-a2-fc1.</summary>
    public const ulong PoseidonBls12381A2Fc1 = 0xb401;

    /// <summary>Codec raw, used by piece CID v2.</summary>
    public const ulong Raw = 0x55;

    /// <summary>Multihash fr32-sha256-trunc254-padbintree, used by piece CID v2 (FRC-0069).</summary>
    public const ulong Fr32Sha256Trunc254PadBinTree = 0x1011;

    private const int CommitmentSize = 32;

    public static string ToPieceCid(ReadOnlySpan<byte> commitment) => ToText(ToPieceCidBytes(commitment));

    public static string ToSealedCid(ReadOnlySpan<byte> commitment) => ToText(ToSealedCidBytes(commitment));

    /// <summary>Raw CID bytes of a piece/unsealed commitment: <c>01 81e203 9220 20</c> ‖ commitment.</summary>
    public static byte[] ToPieceCidBytes(ReadOnlySpan<byte> commitment)
        => Build(FilCommitmentUnsealed, Sha256Trunc254Padded, RequireCommitment(commitment));

    /// <summary>Raw CID bytes of a sealed commitment: <c>01 82e203 81e802 20</c> ‖ commitment.</summary>
    public static byte[] ToSealedCidBytes(ReadOnlySpan<byte> commitment)
        => Build(FilCommitmentSealed, PoseidonBls12381A2Fc1, RequireCommitment(commitment));

    public static byte[] ParsePieceCid(string cid) => Parse(cid, FilCommitmentUnsealed);

    public static byte[] ParseSealedCid(string cid) => Parse(cid, FilCommitmentSealed);

    public static bool TryParsePieceCid([NotNullWhen(true)] string? cid, [NotNullWhen(true)] out byte[]? commitment)
    {
        commitment = TryParse(cid, FilCommitmentUnsealed, out _);
        return commitment is not null;
    }

    public static bool TryParseSealedCid([NotNullWhen(true)] string? cid, [NotNullWhen(true)] out byte[]? commitment)
    {
        commitment = TryParse(cid, FilCommitmentSealed, out _);
        return commitment is not null;
    }

    public static byte[] ParsePieceCidBytes(ReadOnlySpan<byte> cid)
        => DecodeBytes(cid, FilCommitmentUnsealed, out var error) ?? throw new ProofsException($"invalid piece CID bytes: {error}");

    public static byte[] ParseSealedCidBytes(ReadOnlySpan<byte> cid)
        => DecodeBytes(cid, FilCommitmentSealed, out var error) ?? throw new ProofsException($"invalid sealed CID bytes: {error}");

    /// <summary>
    /// Decodes the bytes of a commitment CID: CIDv1 ‖ <paramref name="codec"/> ‖ the multihash that codec uses ‖ 32 ‖
    /// commitment. False, with the reason in <paramref name="error"/>, for anything else (another version, codec or
    /// multihash, a digest that is not 32 bytes, trailing bytes).
    /// </summary>
    /// <param name="cid">The binary CID.</param>
    /// <param name="codec"><see cref="FilCommitmentSealed"/> (comm_r) or <see cref="FilCommitmentUnsealed"/> (comm_d, commP).</param>
    /// <param name="commitment">The 32-byte commitment.</param>
    /// <param name="error">Why the bytes are not such a CID.</param>
    public static bool TryParseCidBytes(ReadOnlySpan<byte> cid, ulong codec, [NotNullWhen(true)] out byte[]? commitment, out string? error)
    {
        if (codec is not (FilCommitmentSealed or FilCommitmentUnsealed))
        {
            throw new ArgumentOutOfRangeException(nameof(codec), codec, "a commitment CID's codec is fil-commitment-sealed (0xf102) or fil-commitment-unsealed (0xf101)");
        }

        commitment = DecodeBytes(cid, codec, out error);
        return commitment is not null;
    }

    /// <summary>
    /// Piece CID v2 (FRC-0069, go-fil-commcid <c>DataCommitmentToPieceCidv2</c>): raw codec, multihash
    /// 0x1011 whose digest is varint(padding) ‖ tree height ‖ commP, for a payload of
    /// <paramref name="payloadSize"/> bytes (at least 127).
    /// </summary>
    public static string ToPieceCidV2(ReadOnlySpan<byte> commitment, ulong payloadSize)
    {
        var comm = RequireCommitment(commitment);
        if (payloadSize < 127)
        {
            throw new ProofsException($"payload size must be at least 127 bytes, got {payloadSize}");
        }

        if (payloadSize > ulong.MaxValue / 128)
        {
            throw new ProofsException($"payload size {payloadSize} is too big");
        }

        var fr32Size = payloadSize * 128 / 127;
        if (fr32Size * 127 != payloadSize * 128)
        {
            fr32Size++;
        }

        var treeSize = BitOperations.RoundUpToPowerOf2(fr32Size);
        var height = BitOperations.Log2(treeSize) - 5;
        var padding = (treeSize / 128 * 127) - payloadSize;

        var digestSize = Varint.Size(padding) + 1 + CommitmentSize;
        Span<byte> digest = stackalloc byte[digestSize];
        var n = Varint.Write(digest, padding);
        digest[n] = (byte)height;
        comm.CopyTo(digest[(n + 1)..]);
        return ToText(Build(Raw, Fr32Sha256Trunc254PadBinTree, digest));
    }

    private static ReadOnlySpan<byte> RequireCommitment(ReadOnlySpan<byte> commitment)
    {
        if (commitment.Length != CommitmentSize)
        {
            throw new ProofsException($"commitments must be 32 bytes long, got {commitment.Length}");
        }

        return commitment;
    }

    private static byte[] Build(ulong codec, ulong multihash, ReadOnlySpan<byte> digest)
    {
        var length = 1 + Varint.Size(codec) + Varint.Size(multihash) + Varint.Size((ulong)digest.Length) + digest.Length;
        var bytes = new byte[length];
        var k = Varint.Write(bytes, 1);
        k += Varint.Write(bytes.AsSpan(k), codec);
        k += Varint.Write(bytes.AsSpan(k), multihash);
        k += Varint.Write(bytes.AsSpan(k), (ulong)digest.Length);
        digest.CopyTo(bytes.AsSpan(k));
        return bytes;
    }

    private static string ToText(byte[] cid) => "b" + Base32Lower.Encode(cid);

    private static byte[] Parse(string cid, ulong expectedCodec)
    {
        ArgumentNullException.ThrowIfNull(cid);
        return TryParse(cid, expectedCodec, out var error)
            ?? throw new ProofsException($"invalid {KindName(expectedCodec)} CID '{cid}': {error}");
    }

    private static byte[]? TryParse(string? cid, ulong expectedCodec, out string? error)
    {
        if (string.IsNullOrEmpty(cid))
        {
            error = "empty string";
            return null;
        }

        if (cid[0] != 'b')
        {
            error = $"multibase prefix '{cid[0]}' is not 'b' (base32 lower-case)";
            return null;
        }

        var bytes = Base32Lower.TryDecode(cid.AsSpan(1), out error);
        return bytes is null ? null : DecodeBytes(bytes, expectedCodec, out error);
    }

    private static byte[]? DecodeBytes(ReadOnlySpan<byte> cid, ulong expectedCodec, out string? error)
    {
        var k = Varint.TryRead(cid, out var version);
        if (k == 0)
        {
            error = "truncated or malformed CID version";
            return null;
        }

        if (version != 1)
        {
            error = $"CID version {version} is not supported: expected CIDv1";
            return null;
        }

        var n = Varint.TryRead(cid[k..], out var codec);
        if (n == 0)
        {
            error = "truncated or malformed codec";
            return null;
        }

        k += n;
        if (codec != expectedCodec)
        {
            error = $"wrong codec 0x{codec:x} ({CodecName(codec)}): expected 0x{expectedCodec:x} ({CodecName(expectedCodec)})";
            return null;
        }

        n = Varint.TryRead(cid[k..], out var multihash);
        if (n == 0)
        {
            error = "truncated or malformed multihash code";
            return null;
        }

        k += n;
        var expectedHash = expectedCodec == FilCommitmentUnsealed ? Sha256Trunc254Padded : PoseidonBls12381A2Fc1;
        if (multihash != expectedHash)
        {
            error = $"wrong multihash 0x{multihash:x}: codec 0x{expectedCodec:x} needs multihash 0x{expectedHash:x} ({HashName(expectedHash)})";
            return null;
        }

        n = Varint.TryRead(cid[k..], out var length);
        if (n == 0)
        {
            error = "truncated or malformed digest length";
            return null;
        }

        k += n;
        if (length != CommitmentSize)
        {
            error = $"digest length {length}, a commitment is 32 bytes";
            return null;
        }

        var rest = cid.Length - k;
        if (rest != CommitmentSize)
        {
            error = rest < CommitmentSize
                ? $"digest truncated: {rest} of 32 bytes present"
                : $"{rest - CommitmentSize} trailing bytes after the digest";
            return null;
        }

        error = null;
        return cid[k..].ToArray();
    }

    private static string KindName(ulong codec) => codec == FilCommitmentUnsealed ? "piece" : "sealed";

    private static string CodecName(ulong codec) => codec switch
    {
        FilCommitmentUnsealed => "fil-commitment-unsealed",
        FilCommitmentSealed => "fil-commitment-sealed",
        Raw => "raw",
        0x70 => "dag-pb",
        0x71 => "dag-cbor",
        _ => "unknown codec",
    };

    private static string HashName(ulong multihash) => multihash switch
    {
        Sha256Trunc254Padded => "sha2-256-trunc254-padded",
        PoseidonBls12381A2Fc1 => "poseidon-bls12_381-a2-fc1",
        _ => "unknown",
    };
}
