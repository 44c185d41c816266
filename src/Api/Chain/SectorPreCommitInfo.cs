using System.Formats.Cbor;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>SectorPreCommitInfo</c>. CBOR (cbor_gen.go <c>SectorPreCommitInfo.MarshalCBOR</c>):
/// a 7-tuple SealProof (int64), SectorNumber (uint64), SealedCID (tag 42), SealRandEpoch (int64), DealIDs (array of
/// uint64, empty array when none), Expiration (int64), UnsealedCid (null or tag 42). JSON: Lotus's field names.
/// </summary>
public sealed record SectorPreCommitInfo
{
    private const string Context = "SectorPreCommitInfo";

    /// <summary>The seal proof type.</summary>
    public RegisteredSealProof SealProof { get; init; }

    /// <summary>The sector number.</summary>
    public ulong SectorNumber { get; init; }

    /// <summary>comm_r as a CID (fil-commitment-sealed, poseidon-bls12_381-a2-fc1).</summary>
    public Cid SealedCID { get; init; }

    /// <summary>The epoch of the ticket the sector was sealed with.</summary>
    public long SealRandEpoch { get; init; }

    /// <summary>Deal ids (none for committed-capacity sectors).</summary>
    public IReadOnlyList<ulong>? DealIDs { get; init; }

    /// <summary>The epoch the sector expires at.</summary>
    public long Expiration { get; init; }

    /// <summary>comm_d as a CID, or null for a sector without data.</summary>
    public Cid? UnsealedCid { get; init; }

    /// <summary>Writes the 7-tuple.</summary>
    /// <exception cref="FormatException">The sealed CID is undefined, or more than 8192 deal ids.</exception>
    public void Write(CborWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var deals = DealIDs ?? [];
        if (deals.Count > ChainCborReader.MaxArrayLength)
        {
            throw new FormatException($"sector {SectorNumber}: {deals.Count} deal ids, more than cbor-gen's limit of {ChainCborReader.MaxArrayLength}");
        }

        w.WriteStartArray(7);
        w.WriteInt64((long)SealProof);
        w.WriteUInt64(SectorNumber);
        ChainCbor.WriteCid(w, SealedCID);
        w.WriteInt64(SealRandEpoch);
        w.WriteStartArray(deals.Count);
        foreach (var deal in deals)
        {
            w.WriteUInt64(deal);
        }

        w.WriteEndArray();
        w.WriteInt64(Expiration);
        ChainCbor.WriteNullableCid(w, UnsealedCid);
        w.WriteEndArray();
    }

    /// <summary>Reads the 7-tuple (the reader left after it).</summary>
    /// <exception cref="FormatException">Not the 7-tuple; the message names the field.</exception>
    public static SectorPreCommitInfo Read(CborReader r) => Read(new ChainCborReader(r, Context), "");

    public bool Equals(SectorPreCommitInfo? other) =>
        other is not null && SealProof == other.SealProof && SectorNumber == other.SectorNumber && SealedCID == other.SealedCID
        && SealRandEpoch == other.SealRandEpoch && (DealIDs ?? []).SequenceEqual(other.DealIDs ?? []) && Expiration == other.Expiration
        && UnsealedCid == other.UnsealedCid;

    public override int GetHashCode() => HashCode.Combine(SealProof, SectorNumber, SealedCID, SealRandEpoch, Expiration, UnsealedCid);

    internal static SectorPreCommitInfo Read(ChainCborReader d, string path)
    {
        d.ReadTuple(path, 7, "SectorPreCommitInfo");
        var proof = d.ReadInt64(CborPath.Field(path, "SealProof"));
        var number = d.ReadUInt64(CborPath.Field(path, "SectorNumber"));
        var sealedCid = d.ReadCid(CborPath.Field(path, "SealedCID"));
        var randEpoch = d.ReadInt64(CborPath.Field(path, "SealRandEpoch"));
        var dealsPath = CborPath.Field(path, "DealIDs");
        var count = d.ReadSliceHeader(dealsPath);
        var deals = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            deals[i] = d.ReadUInt64(CborPath.Index(dealsPath, i));
        }

        d.ReadEndArray(dealsPath);
        var expiration = d.ReadInt64(CborPath.Field(path, "Expiration"));
        var unsealedCid = d.ReadNullableCid(CborPath.Field(path, "UnsealedCid"));
        d.ReadEndArray(path);
        return new SectorPreCommitInfo
        {
            SealProof = (RegisteredSealProof)proof,
            SectorNumber = number,
            SealedCID = sealedCid,
            SealRandEpoch = randEpoch,
            DealIDs = deals,
            Expiration = expiration,
            UnsealedCid = unsealedCid,
        };
    }
}
