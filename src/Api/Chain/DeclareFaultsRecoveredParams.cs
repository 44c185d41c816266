namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>DeclareFaultsRecoveredParams</c>, the params of miner method 11 (DeclareFaultsRecovered): a 1-tuple of the
/// <see cref="RecoveryDeclaration"/>s (cbor_gen.go <c>DeclareFaultsRecoveredParams.MarshalCBOR</c>; at most 8192 of them).
/// </summary>
/// <param name="Recoveries">The declarations, one per (deadline, partition).</param>
public sealed record DeclareFaultsRecoveredParams(IReadOnlyList<RecoveryDeclaration> Recoveries)
{
    private const string Context = "DeclareFaultsRecovered params";

    /// <summary>The CBOR bytes of the params.</summary>
    /// <exception cref="FormatException">More than 8192 declarations.</exception>
    public byte[] ToCbor()
    {
        ArgumentNullException.ThrowIfNull(Recoveries);
        if (Recoveries.Count > ChainCborReader.MaxArrayLength)
        {
            throw new FormatException($"{Context}: {Recoveries.Count} declarations, more than cbor-gen's limit of {ChainCborReader.MaxArrayLength}");
        }

        var w = ChainCbor.NewWriter();
        w.WriteStartArray(1);
        w.WriteStartArray(Recoveries.Count);
        foreach (var item in Recoveries)
        {
            item.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Decodes the params strictly.</summary>
    /// <exception cref="FormatException">Not these params; the message names the field ("Recoveries[0].Sectors: …").</exception>
    public static DeclareFaultsRecoveredParams FromCbor(ReadOnlyMemory<byte> cbor)
    {
        var d = new ChainCborReader(cbor, Context);
        d.ReadTuple("", 1, "DeclareFaultsRecoveredParams");
        var count = d.ReadSliceHeader("Recoveries");
        var items = new RecoveryDeclaration[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = RecoveryDeclaration.Read(d, CborPath.Index("Recoveries", i));
        }

        d.ReadEndArray("Recoveries");
        d.ReadEndArray("");
        d.ReadEnd();
        return new DeclareFaultsRecoveredParams(items);
    }

    /// <inheritdoc/>
    public bool Equals(DeclareFaultsRecoveredParams? other) => other is not null && Recoveries.SequenceEqual(other.Recoveries);

    /// <inheritdoc/>
    public override int GetHashCode() => Recoveries.Count;
}
