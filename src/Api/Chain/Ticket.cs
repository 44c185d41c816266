using Kiln.Proofs.Hashing;

namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>types.Ticket</c> (chain/types/blockheader.go): the VRF output a block producer signs over the ticket
/// randomness. JSON <c>{"VRFProof": base64}</c>; CBOR a 1-tuple <c>[VRFProof]</c>.
/// </summary>
#pragma warning disable CA1819 // the VRF bytes, as Lotus's []byte
public sealed record Ticket(byte[] VRFProof)
#pragma warning restore CA1819
{
    /// <summary>
    /// Lotus <c>Ticket.Quality</c>: 1 − BLAKE2b-256(VRFProof) read as a fraction of 2^256 (what <c>MpoolSelect</c> takes).
    /// </summary>
    public double Quality()
    {
        var digest = new byte[32];
        Blake2b.HashData(VRFProof ?? [], digest);
        var value = new System.Numerics.BigInteger(digest, isUnsigned: true, isBigEndian: true);
        return 1 - ((double)value / Math.Pow(2, 256));
    }

    /// <summary>CBOR as chain/types/cbor_gen.go writes it: <c>[VRFProof]</c>.</summary>
    public void WriteCbor(System.Formats.Cbor.CborWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartArray(1);
        w.WriteByteString(VRFProof ?? []);
        w.WriteEndArray();
    }

    public bool Equals(Ticket? other) => other is not null && (VRFProof ?? []).AsSpan().SequenceEqual(other.VRFProof ?? []);

    public override int GetHashCode() => VRFProof?.Length ?? 0;
}
