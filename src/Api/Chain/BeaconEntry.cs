namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>types.BeaconEntry</c>: a drand round and its signature. JSON <c>{"Round": 42, "Data": base64}</c>; CBOR
/// <c>[Round, Data]</c>.
/// </summary>
#pragma warning disable CA1819 // the beacon signature, as Lotus's []byte
public sealed record BeaconEntry(ulong Round, byte[] Data)
#pragma warning restore CA1819
{
    /// <summary>CBOR as chain/types/cbor_gen.go writes it: <c>[Round, Data]</c>.</summary>
    public void WriteCbor(System.Formats.Cbor.CborWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartArray(2);
        w.WriteUInt64(Round);
        w.WriteByteString(Data ?? []);
        w.WriteEndArray();
    }

    public bool Equals(BeaconEntry? other) => other is not null && Round == other.Round && (Data ?? []).AsSpan().SequenceEqual(other.Data ?? []);

    public override int GetHashCode() => HashCode.Combine(Round, Data?.Length ?? 0);
}
