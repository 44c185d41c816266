namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types <c>crypto.Signature</c>. JSON: <c>{"Type": 1|2|3, "Data": base64}</c> (1 secp256k1, 2 BLS,
/// 3 delegated). CBOR: a byte string of the type byte ‖ data.
/// </summary>
#pragma warning disable CA1819 // the signature bytes, as Lotus's []byte
public sealed record Signature(int Type, byte[] Data)
#pragma warning restore CA1819
{
    /// <summary>go-state-types <c>crypto.SigTypeBLS</c>.</summary>
    public const int Bls = 2;

    /// <summary>go-state-types <c>crypto.Signature MarshalCBOR</c>: a byte string of the type byte ‖ data.</summary>
    public byte[] ToCbor()
    {
        var w = ChainCbor.NewWriter();
        w.WriteByteString([(byte)Type, .. Data ?? []]);
        return w.Encode();
    }

    public bool Equals(Signature? other) =>
        other is not null && Type == other.Type && (Data ?? []).AsSpan().SequenceEqual(other.Data ?? []);

    public override int GetHashCode() => HashCode.Combine(Type, Data?.Length ?? 0);
}
