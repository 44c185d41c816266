using System.Numerics;
using System.Text.Json.Serialization;
using Kiln.Api.Chain.Json;
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>types.BlockHeader</c> (chain/types/blockheader.go) with its JSON field names. Its CID is the dag-cbor
/// BLAKE2b-256 CID of the 16-tuple cbor_gen.go writes (<see cref="ToCbor"/>).
/// </summary>
public sealed record BlockHeader
{
    public Address Miner { get; init; }

    public Ticket? Ticket { get; init; }

    public ElectionProof? ElectionProof { get; init; }

    public IReadOnlyList<BeaconEntry>? BeaconEntries { get; init; }

    public IReadOnlyList<PoStProof>? WinPoStProof { get; init; }

    public IReadOnlyList<Cid>? Parents { get; init; }

    [JsonConverter(typeof(BigIntegerJsonConverter))]
    public BigInteger ParentWeight { get; init; }

    public long Height { get; init; }

    public Cid ParentStateRoot { get; init; }

    public Cid ParentMessageReceipts { get; init; }

    public Cid Messages { get; init; }

    [JsonPropertyName("BLSAggregate")]
    public Signature? BlsAggregate { get; init; }

    public ulong Timestamp { get; init; }

    public Signature? BlockSig { get; init; }

    public ulong ForkSignaling { get; init; }

    [JsonConverter(typeof(BigIntegerJsonConverter))]
    public BigInteger ParentBaseFee { get; init; }

    /// <summary>The header's CBOR as chain/types/cbor_gen.go <c>BlockHeader.MarshalCBOR</c> writes it.</summary>
    public byte[] ToCbor()
    {
        var w = ChainCbor.NewWriter();
        w.WriteStartArray(16);
        ChainCbor.WriteAddress(w, Miner);
        WriteOrNull(w, Ticket, (t, x) => t.WriteCbor(x));
        WriteOrNull(w, ElectionProof, (e, x) => e.WriteCbor(x));
        WriteList(w, BeaconEntries, (b, x) => b.WriteCbor(x));
        WriteList(w, WinPoStProof, (p, x) =>
        {
            x.WriteStartArray(2);
            ChainCbor.WriteInt64(x, (long)p.ProofType);
            x.WriteByteString(p.ProofBytes ?? []);
            x.WriteEndArray();
        });
        WriteList(w, Parents, (c, x) => ChainCbor.WriteCid(x, c));
        ChainCbor.WriteBigInt(w, new TokenAmount(ParentWeight));
        ChainCbor.WriteInt64(w, Height);
        ChainCbor.WriteCid(w, ParentStateRoot);
        ChainCbor.WriteCid(w, ParentMessageReceipts);
        ChainCbor.WriteCid(w, Messages);
        WriteOrNull(w, BlsAggregate, (s, x) => x.WriteEncodedValue(s.ToCbor()));
        w.WriteUInt64(Timestamp);
        WriteOrNull(w, BlockSig, (s, x) => x.WriteEncodedValue(s.ToCbor()));
        w.WriteUInt64(ForkSignaling);
        ChainCbor.WriteBigInt(w, new TokenAmount(ParentBaseFee));
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Lotus <c>BlockHeader.Cid()</c>: the dag-cbor BLAKE2b-256 CID of <see cref="ToCbor"/>.</summary>
    public Cid Cid() => ChainCbor.DagCborCid(ToCbor());

    private static void WriteOrNull<T>(System.Formats.Cbor.CborWriter w, T? value, Action<T, System.Formats.Cbor.CborWriter> write)
        where T : class
    {
        if (value is null)
        {
            w.WriteNull();
        }
        else
        {
            write(value, w);
        }
    }

    private static void WriteList<T>(System.Formats.Cbor.CborWriter w, IReadOnlyList<T>? values, Action<T, System.Formats.Cbor.CborWriter> write)
    {
        w.WriteStartArray(values?.Count ?? 0);
        foreach (var v in values ?? [])
        {
            write(v, w);
        }

        w.WriteEndArray();
    }
}
