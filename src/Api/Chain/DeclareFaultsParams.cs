namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>DeclareFaultsParams</c>, the params of miner method 10 (DeclareFaults): a 1-tuple of the
/// <see cref="FaultDeclaration"/>s (cbor_gen.go <c>DeclareFaultsParams.MarshalCBOR</c>; at most 8192 of them).
/// </summary>
/// <param name="Faults">The declarations, one per (deadline, partition).</param>
public sealed record DeclareFaultsParams(IReadOnlyList<FaultDeclaration> Faults)
{
    private const string Context = "DeclareFaults params";

    /// <summary>The CBOR bytes of the params.</summary>
    /// <exception cref="FormatException">More than 8192 declarations.</exception>
    public byte[] ToCbor()
    {
        ArgumentNullException.ThrowIfNull(Faults);
        if (Faults.Count > ChainCborReader.MaxArrayLength)
        {
            throw new FormatException($"{Context}: {Faults.Count} declarations, more than cbor-gen's limit of {ChainCborReader.MaxArrayLength}");
        }

        var w = ChainCbor.NewWriter();
        w.WriteStartArray(1);
        w.WriteStartArray(Faults.Count);
        foreach (var item in Faults)
        {
            item.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Decodes the params strictly.</summary>
    /// <exception cref="FormatException">Not these params; the message names the field ("Faults[0].Sectors: …").</exception>
    public static DeclareFaultsParams FromCbor(ReadOnlyMemory<byte> cbor)
    {
        var d = new ChainCborReader(cbor, Context);
        d.ReadTuple("", 1, "DeclareFaultsParams");
        var count = d.ReadSliceHeader("Faults");
        var items = new FaultDeclaration[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = FaultDeclaration.Read(d, CborPath.Index("Faults", i));
        }

        d.ReadEndArray("Faults");
        d.ReadEndArray("");
        d.ReadEnd();
        return new DeclareFaultsParams(items);
    }

    /// <inheritdoc/>
    public bool Equals(DeclareFaultsParams? other) => other is not null && Faults.SequenceEqual(other.Faults);

    /// <inheritdoc/>
    public override int GetHashCode() => Faults.Count;
}
