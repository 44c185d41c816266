using System.Formats.Cbor;
using Kiln.Api.Types;
using Kiln.Proofs.Pieces;

namespace Kiln.Api.Chain;

/// <summary>
/// cbor-gen primitives over System.Formats.Cbor: canonical writes (shortest heads, definite lengths) and strict reads
/// that refuse what cbor-gen's <c>CborReader.ReadHeader</c> refuses (non-shortest heads, indefinite lengths).
/// </summary>
public static class ChainCbor
{
    /// <summary>A writer in canonical mode: shortest heads, definite lengths.</summary>
    public static CborWriter NewWriter() => new(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false, allowMultipleRootLevelValues: false);

    /// <summary>A reader in canonical mode: shortest heads and definite lengths only, as cbor-gen reads.</summary>
    public static CborReader NewReader(ReadOnlyMemory<byte> cbor) => new(cbor, CborConformanceMode.Canonical);

    /// <summary>cbor-gen <c>WriteCid</c>: tag 42, byte string 0x00 ‖ CID bytes.</summary>
    /// <exception cref="FormatException">The CID is undefined or its text does not decode.</exception>
    public static void WriteCid(CborWriter w, Cid cid)
    {
        ArgumentNullException.ThrowIfNull(w);
        var bytes = cid.ToBytes();
        w.WriteTag((CborTag)42);
        w.WriteByteString([0, .. bytes]);
    }

    /// <summary>cbor-gen <c>ReadCid</c>.</summary>
    /// <exception cref="FormatException">Not tag 42 over 0x00 ‖ a CIDv1.</exception>
    public static Cid ReadCid(CborReader r) => new ChainCborReader(r, "cid").ReadCid("");

    /// <summary>A <c>*cid.Cid</c>: null (0xf6) or the CID.</summary>
    public static void WriteNullableCid(CborWriter w, Cid? cid)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (cid is { } c)
        {
            WriteCid(w, c);
        }
        else
        {
            w.WriteNull();
        }
    }

    public static Cid? ReadNullableCid(CborReader r) => new ChainCborReader(r, "cid").ReadNullableCid("");

    /// <summary>abi.ChainEpoch / int64: major 0 when ≥ 0, else major 1.</summary>
    public static void WriteInt64(CborWriter w, long value)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteInt64(value);
    }

    /// <summary>Reads an int64 written as <see cref="WriteInt64"/> writes it.</summary>
    public static long ReadInt64(CborReader r) => new ChainCborReader(r, "int64").ReadInt64("");

    /// <summary>go-state-types <c>big.Int MarshalCBOR</c>: a byte string of <see cref="TokenAmount.ToBytes"/>.</summary>
    public static void WriteBigInt(CborWriter w, TokenAmount value)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteByteString(value.ToBytes());
    }

    /// <summary>Reads a big.Int byte string (at most 128 bytes).</summary>
    public static TokenAmount ReadBigInt(CborReader r) => new ChainCborReader(r, "big.Int").ReadBigInt("");

    /// <summary>go-address <c>MarshalCBOR</c>: a byte string of the address bytes.</summary>
    /// <exception cref="InvalidOperationException">The address is undefined.</exception>
    public static void WriteAddress(CborWriter w, Address address)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (!address.IsDefined)
        {
            throw new InvalidOperationException("cannot marshal an undefined address (go-address Undef) to CBOR");
        }

        w.WriteByteString(address.ToBytes());
    }

    /// <summary>Reads an address byte string; <paramref name="network"/> is the letter it prints with.</summary>
    public static Address ReadAddress(CborReader r, char network = 'f') => new ChainCborReader(r, "address").ReadAddress("", network);

    /// <summary>go-bitfield <c>MarshalCBOR</c>: a byte string of the RLE+ encoding (empty for an empty set).</summary>
    public static void WriteBitField(CborWriter w, BitField bits)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(bits);
        w.WriteByteString(RleBytes(bits));
    }

    /// <summary>go-bitfield <c>UnmarshalCBOR</c>: a byte string (at most 8192 bytes) of RLE+.</summary>
    public static BitField ReadBitField(CborReader r)
    {
        var d = new ChainCborReader(r, "bitfield");
        var bytes = d.ReadByteString("", 8192);
        try
        {
            var decoded = RlePlus.Decode(bytes);
            var runs = new List<ulong>(decoded.Count + 1);
            if (decoded.Count == 0 || decoded[0].Value)
            {
                runs.Add(0); // go-bitfield's runs start with an absent run, empty when 0 is a member
            }

            runs.AddRange(decoded.Select(run => run.Length));
            return BitField.FromRuns(runs);
        }
        catch (FormatException e)
        {
            throw d.Error("", $"invalid RLE+: {e.Message}");
        }
    }

    /// <summary>CIDv1 dag-cbor (0x71) blake2b-256 (0xb220) of <paramref name="cbor"/>: the CID of a message or block.</summary>
    public static Cid DagCborCid(ReadOnlySpan<byte> cbor) => CidBytes.DagCborBlake2b256(cbor);

    internal static byte[] RleBytes(BitField bits)
    {
        if (bits.IsEmpty)
        {
            return [];
        }

        var runs = new List<(bool, ulong)>();
        var set = false;
        foreach (var run in bits.ToRuns())
        {
            if (run != 0)
            {
                runs.Add((set, run));
            }

            set = !set;
        }

        return RlePlus.Encode(runs);
    }
}
