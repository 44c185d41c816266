using System.Formats.Cbor;
using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>RecoveryDeclaration</c>: sectors of one partition declared recovered (to be proven again).
/// CBOR (cbor_gen.go <c>RecoveryDeclaration.MarshalCBOR</c>): a 3-tuple Deadline (uint64), Partition (uint64), Sectors
/// (RLE+ bitfield as a byte string).
/// </summary>
/// <param name="Deadline">The deadline index (below 48).</param>
/// <param name="Partition">The partition index within the deadline.</param>
/// <param name="Sectors">The sector numbers declared.</param>
public sealed record RecoveryDeclaration(ulong Deadline, ulong Partition, BitField Sectors)
{
    /// <summary>Writes the 3-tuple.</summary>
    public void Write(CborWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartArray(3);
        w.WriteUInt64(Deadline);
        w.WriteUInt64(Partition);
        ChainCbor.WriteBitField(w, Sectors ?? BitField.Empty);
        w.WriteEndArray();
    }

    internal static RecoveryDeclaration Read(ChainCborReader d, string path)
    {
        d.ReadTuple(path, 3, "RecoveryDeclaration");
        var deadline = d.ReadUInt64(CborPath.Field(path, "Deadline"));
        var partition = d.ReadUInt64(CborPath.Field(path, "Partition"));
        var sectors = BitFieldCbor.Read(d, CborPath.Field(path, "Sectors"));
        d.ReadEndArray(path);
        return new RecoveryDeclaration(deadline, partition, sectors);
    }
}
