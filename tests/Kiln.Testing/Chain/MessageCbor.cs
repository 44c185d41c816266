using System.Numerics;
using Kiln.Testing.Chain.Cbor;

namespace Kiln.Testing.Chain;

/// <summary>A Filecoin message's CBOR and CID, from its fields (Lotus chain/types/message.go and cbor_gen.go Message).</summary>
public static class MessageCbor
{
    /// <summary>The 10-tuple (Version 0, To, From, Nonce, Value, GasLimit, GasFeeCap, GasPremium, Method, Params); addresses as bytes, amounts as go big.Int bytes.</summary>
    public static byte[] Encode(byte[] to, byte[] from, ulong nonce, BigInteger value, long gasLimit, BigInteger gasFeeCap, BigInteger gasPremium, ulong method, byte[] parameters) =>
        new TupleCborWriter().Array(10).UInt(0).Bytes(to).Bytes(from).UInt(nonce).BigInt(value).Int(gasLimit)
            .BigInt(gasFeeCap).BigInt(gasPremium).UInt(method).Bytes(parameters).ToArray();

    /// <summary>The message's CID text: CIDv1, dag-cbor, blake2b-256 over <see cref="Encode"/>.</summary>
    public static string Cid(byte[] to, byte[] from, ulong nonce, BigInteger value, long gasLimit, BigInteger gasFeeCap, BigInteger gasPremium, ulong method, byte[] parameters) =>
        CidText.Encode(CidText.OfDagCbor(Encode(to, from, nonce, value, gasLimit, gasFeeCap, gasPremium, method, parameters)));
}
