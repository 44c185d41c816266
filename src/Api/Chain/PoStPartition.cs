using System.Formats.Cbor;
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>PoStPartition</c>: a partition proven by a Window PoSt and the sectors of it
/// the proof skipped. CBOR (cbor_gen.go <c>PoStPartition.MarshalCBOR</c>): a 2-tuple Index (uint64), Skipped (RLE+
/// bitfield as a byte string).
/// </summary>
/// <param name="Index">The partition's index within its deadline.</param>
/// <param name="Skipped">Sectors of the partition left out of the proof (they become faulty on chain).</param>
public sealed record PoStPartition(ulong Index, BitField Skipped)
{
    /// <summary>Writes the 2-tuple.</summary>
    public void Write(CborWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartArray(2);
        w.WriteUInt64(Index);
        ChainCbor.WriteBitField(w, Skipped ?? BitField.Empty);
        w.WriteEndArray();
    }

    internal static PoStPartition Read(ChainCborReader d, string path)
    {
        d.ReadTuple(path, 2, "PoStPartition");
        var index = d.ReadUInt64(CborPath.Field(path, "Index"));
        var skipped = BitFieldCbor.Read(d, CborPath.Field(path, "Skipped"));
        d.ReadEndArray(path);
        return new PoStPartition(index, skipped);
    }
}
