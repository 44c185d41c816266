using System.Text.Json.Serialization;
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>Lotus <c>types.SignedMessage</c>. JSON: Message, Signature, CID (as its <c>MarshalJSON</c> writes them).</summary>
public sealed record SignedMessage(ChainMessage Message, Signature Signature)
{
    [JsonPropertyName("CID")]
    public Cid Cid { get; init; }

    /// <summary>
    /// Lotus <c>SignedMessage.Cid()</c>: for a BLS signature the message's own CID; otherwise the dag-cbor
    /// blake2b-256 CID of the 2-tuple [message, signature] (chain/types/cbor_gen.go <c>SignedMessage.MarshalCBOR</c>).
    /// </summary>
    public Cid ComputeCid()
    {
        ArgumentNullException.ThrowIfNull(Message);
        ArgumentNullException.ThrowIfNull(Signature);
        if (Signature.Type == Signature.Bls)
        {
            return Message.Cid();
        }

        var w = ChainCbor.NewWriter();
        w.WriteStartArray(2);
        w.WriteEncodedValue(Message.ToCbor());
        w.WriteEncodedValue(Signature.ToCbor());
        w.WriteEndArray();
        return ChainCbor.DagCborCid(w.Encode());
    }
}
