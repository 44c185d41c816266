using System.Text.Json.Serialization;
using Kiln.Api.Chain.Json;
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>types.Message</c> (chain/types/message.go). JSON as its <c>MarshalJSON</c> writes it (the fields, then
/// <c>"CID"</c>); CBOR the 10-tuple of chain/types/cbor_gen.go <c>Message.MarshalCBOR</c>.
/// </summary>
[JsonConverter(typeof(ChainMessageJsonConverter))]
public sealed record ChainMessage
{
    private const string Context = "Message";

    /// <summary>Message format version: 0.</summary>
    public ulong Version { get; init; }

    /// <summary>The receiver (the miner actor for sealing messages).</summary>
    public Address To { get; init; }

    /// <summary>The sender (the miner's worker or a control address).</summary>
    public Address From { get; init; }

    /// <summary>The sender's nonce (MpoolPushMessage assigns it).</summary>
    public ulong Nonce { get; init; }

    /// <summary>The attoFIL sent with the message (a deposit or pledge).</summary>
    public TokenAmount Value { get; init; }

    /// <summary>Gas limit (0: MpoolPushMessage estimates it).</summary>
    public long GasLimit { get; init; }

    /// <summary>Most attoFIL per gas unit (0: estimated).</summary>
    public TokenAmount GasFeeCap { get; init; }

    /// <summary>attoFIL per gas unit for the block producer (0: estimated).</summary>
    public TokenAmount GasPremium { get; init; }

    /// <summary>The receiver's method number (<see cref="MinerMethods"/>).</summary>
    public ulong Method { get; init; }

/// <summary>The method's CBOR params.</summary>
#pragma warning disable CA1819 // the params are a CBOR blob, as Lotus's []byte
    public byte[] Params { get; init; } = [];
#pragma warning restore CA1819

    /// <summary>The CBOR 10-tuple (Lotus chain/types/cbor_gen.go <c>Message.MarshalCBOR</c>).</summary>
    /// <exception cref="InvalidOperationException">To or From is undefined.</exception>
    public byte[] ToCbor()
    {
        var w = ChainCbor.NewWriter();
        w.WriteStartArray(10);
        w.WriteUInt64(Version);
        ChainCbor.WriteAddress(w, To);
        ChainCbor.WriteAddress(w, From);
        w.WriteUInt64(Nonce);
        ChainCbor.WriteBigInt(w, Value);
        w.WriteInt64(GasLimit);
        ChainCbor.WriteBigInt(w, GasFeeCap);
        ChainCbor.WriteBigInt(w, GasPremium);
        w.WriteUInt64(Method);
        w.WriteByteString(Params ?? []);
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Lotus <c>Message.UnmarshalCBOR</c>, refusing anything else and trailing bytes.</summary>
    /// <exception cref="FormatException">Not a message tuple; the message names the field.</exception>
    public static ChainMessage FromCbor(ReadOnlyMemory<byte> cbor, char network = 'f')
    {
        var d = new ChainCborReader(cbor, Context);
        var message = Read(d, "", network);
        d.ReadEnd();
        return message;
    }

    /// <summary>The message's CID: CIDv1 dag-cbor blake2b-256 of <see cref="ToCbor"/> (Lotus <c>Message.Cid()</c>).</summary>
    public Cid Cid() => ChainCbor.DagCborCid(ToCbor());

    public bool Equals(ChainMessage? other) =>
        other is not null
        && Version == other.Version && To == other.To && From == other.From && Nonce == other.Nonce && Value == other.Value
        && GasLimit == other.GasLimit && GasFeeCap == other.GasFeeCap && GasPremium == other.GasPremium && Method == other.Method
        && (Params ?? []).AsSpan().SequenceEqual(other.Params ?? []);

    public override int GetHashCode() => HashCode.Combine(To, From, Nonce, Method, Params?.Length ?? 0);

    internal static ChainMessage Read(ChainCborReader d, string path, char network)
    {
        d.ReadTuple(path, 10, "Message");
        var message = new ChainMessage
        {
            Version = d.ReadUInt64(Join(path, "Version")),
            To = d.ReadAddress(Join(path, "To"), network),
            From = d.ReadAddress(Join(path, "From"), network),
            Nonce = d.ReadUInt64(Join(path, "Nonce")),
            Value = d.ReadBigInt(Join(path, "Value")),
            GasLimit = d.ReadInt64(Join(path, "GasLimit")),
            GasFeeCap = d.ReadBigInt(Join(path, "GasFeeCap")),
            GasPremium = d.ReadBigInt(Join(path, "GasPremium")),
            Method = d.ReadUInt64(Join(path, "Method")),
            Params = d.ReadByteString(Join(path, "Params")),
        };
        d.ReadEndArray(path);
        return message;
    }

    private static string Join(string path, string field) => CborPath.Field(path, field);
}
