using Kiln.Proofs.Bincode;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Merkle;

namespace Kiln.Proofs.PoSt;

/// <summary>
/// filecoin-proofs' <c>FallbackPoStSectorProof</c> (filecoin-proofs/src/types/mod.rs), the bytes
/// <c>generate_single_vanilla_proof</c> returns (rust-filecoin-proofs-api src/post.rs serializes it with bincode): bincode of sector id u64 ‖ comm_r ‖ a Vec of
/// <see cref="SectorProof"/> (exactly one from generation), each a Vec of inclusion proofs ‖ comm_c ‖ comm_r_last.
/// </summary>
public sealed class FallbackPoStSectorProof
{
    private const int NodeBytes = Fr.ByteLength;

    /// <exception cref="ArgumentException">comm_r is not 32 bytes.</exception>
    public FallbackPoStSectorProof(ulong sectorId, ReadOnlyMemory<byte> commR, IReadOnlyList<SectorProof> sectors)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        if (commR.Length != NodeBytes)
        {
            throw new ArgumentException($"comm_r is {NodeBytes} bytes, got {commR.Length}", nameof(commR));
        }

        SectorId = sectorId;
        CommR = commR;
        Sectors = sectors;
    }

    public ulong SectorId { get; }

    public ReadOnlyMemory<byte> CommR { get; }

    /// <summary>The vanilla proof's sector proofs (<c>vanilla_proof.sectors</c>).</summary>
    public IReadOnlyList<SectorProof> Sectors { get; }

    /// <summary>Bytes the proof encodes to.</summary>
    public int ByteLength
    {
        get
        {
            var bytes = sizeof(ulong) + NodeBytes + sizeof(ulong);
            foreach (var s in Sectors)
            {
                bytes += sizeof(ulong) + (2 * NodeBytes);
                foreach (var p in s.InclusionProofs)
                {
                    bytes += MerkleProofBincode.GetByteLength(p);
                }
            }

            return bytes;
        }
    }

    /// <summary>The bincode bytes, as rust-fil-proofs serializes the proof for filecoin-ffi.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        var writer = new BincodeWriter(bytes);
        writer.WriteU64(SectorId);
        writer.WriteBytes(CommR.Span);
        writer.WriteU64((ulong)Sectors.Count);
        foreach (var s in Sectors)
        {
            writer.WriteU64((ulong)s.InclusionProofs.Count);
            foreach (var p in s.InclusionProofs)
            {
                MerkleProofBincode.Write(ref writer, p);
            }

            writer.WriteBytes(s.CommC.Span);
            writer.WriteBytes(s.CommRLast.Span);
        }

        return bytes;
    }

    /// <summary>Decodes the bytes of a vanilla proof (Poseidon tree_r_last proofs); nodes are slices of <paramref name="bytes"/>.</summary>
    /// <exception cref="ProofsException">The bytes are not exactly one vanilla proof.</exception>
    public static FallbackPoStSectorProof Parse(ReadOnlyMemory<byte> bytes)
    {
        var reader = new BincodeReader(bytes, "vanilla PoSt proof");
        var sectorId = reader.ReadU64();
        var commR = reader.Take(NodeBytes);
        var count = reader.ReadLength(sizeof(ulong) + (2 * NodeBytes), "sector proofs");
        var sectors = new SectorProof[count];
        for (var i = 0; i < count; i++)
        {
            var proofs = new MerkleProof[reader.ReadLength(sizeof(uint) + (2 * NodeBytes) + sizeof(ulong), "inclusion proofs")];
            for (var k = 0; k < proofs.Length; k++)
            {
                proofs[k] = MerkleProofBincode.Read(ref reader, MerkleHasher.Poseidon);
            }

            var commC = reader.Take(NodeBytes);
            sectors[i] = new SectorProof(proofs, commC, reader.Take(NodeBytes));
        }

        reader.ExpectEnd();
        return new FallbackPoStSectorProof(sectorId, commR, sectors);
    }
}
