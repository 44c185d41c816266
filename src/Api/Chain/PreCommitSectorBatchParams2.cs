namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>PreCommitSectorBatchParams2</c>, the params of miner method 28: a 1-tuple of
/// the sectors' <see cref="SectorPreCommitInfo"/> (cbor_gen.go <c>PreCommitSectorBatchParams2.MarshalCBOR</c>).
/// </summary>
public sealed record PreCommitSectorBatchParams2(IReadOnlyList<SectorPreCommitInfo> Sectors)
{
    private const string Context = "PreCommitSectorBatch2 params";

    /// <exception cref="FormatException">More than 8192 sectors, or a sector that does not encode.</exception>
    public byte[] ToCbor()
    {
        ArgumentNullException.ThrowIfNull(Sectors);
        if (Sectors.Count > ChainCborReader.MaxArrayLength)
        {
            throw new FormatException($"{Context}: {Sectors.Count} sectors, more than cbor-gen's limit of {ChainCborReader.MaxArrayLength}");
        }

        var w = ChainCbor.NewWriter();
        w.WriteStartArray(1);
        w.WriteStartArray(Sectors.Count);
        foreach (var sector in Sectors)
        {
            sector.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndArray();
        return w.Encode();
    }

    /// <exception cref="FormatException">Not these params; the message names the field ("Sectors[0].SealedCID: …").</exception>
    public static PreCommitSectorBatchParams2 FromCbor(ReadOnlyMemory<byte> cbor)
    {
        var d = new ChainCborReader(cbor, Context);
        d.ReadTuple("", 1, "PreCommitSectorBatchParams2");
        var count = d.ReadSliceHeader("Sectors");
        var sectors = new SectorPreCommitInfo[count];
        for (var i = 0; i < count; i++)
        {
            sectors[i] = SectorPreCommitInfo.Read(d, CborPath.Index("Sectors", i));
        }

        d.ReadEndArray("Sectors");
        d.ReadEndArray("");
        d.ReadEnd();
        return new PreCommitSectorBatchParams2(sectors);
    }

    public bool Equals(PreCommitSectorBatchParams2? other) => other is not null && Sectors.SequenceEqual(other.Sectors);

    public override int GetHashCode() => Sectors.Count;
}
