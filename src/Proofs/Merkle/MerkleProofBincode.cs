using Kiln.Proofs.Bincode;
using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Merkle;

/// <summary>
/// The bincode form of <see cref="MerkleProof"/> (bincode 1.x of rust-fil-proofs
/// storage-proofs-core/src/merkle/proof.rs <c>MerkleProof</c> and its <c>ProofData</c> enum): u32 variant tag, then
/// the variant's fields in declaration order — Single{root, leaf, path}, Sub{base_proof, sub_proof,
/// root, leaf}, Top{base_proof, sub_proof, top_proof, root, leaf}; a path is a u64 count of elements,
/// an element a u64 count of sibling nodes, the nodes, and its index as u64.
/// </summary>
public static class MerkleProofBincode
{
    private const int NodeBytes = Fr.ByteLength;

    /// <summary>Bytes <paramref name="proof"/> encodes to.</summary>
    public static int GetByteLength(MerkleProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return sizeof(uint) + (2 * NodeBytes) + PathLength(proof.BasePath) + PathLength(proof.SubPath) + PathLength(proof.TopPath);
    }

    /// <summary>
    /// Bytes of an inclusion proof of a tree whose base paths have <paramref name="basePathLength"/>
    /// levels of <paramref name="baseArity"/>, with one sub and one top level when their arities are not 0.
    /// </summary>
    public static int GetByteLength(int baseArity, int basePathLength, int subArity, int topArity)
    {
        var bytes = sizeof(uint) + (2 * NodeBytes) + sizeof(ulong) + (basePathLength * ElementLength(baseArity));
        if (subArity > 0)
        {
            bytes += sizeof(ulong) + ElementLength(subArity);
        }

        if (topArity > 0)
        {
            bytes += sizeof(ulong) + ElementLength(topArity);
        }

        return bytes;
    }

    /// <summary>Bytes of one inclusion proof into a sector's tree_c or tree_r_last (from that layout: 556 B at 2 KiB … 2 540 B at 64 GiB).</summary>
    public static int GetByteLength(SectorTreeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return GetByteLength(SectorTreeShape.BaseArity, shape.Base.Rows - 1, shape.SubArity, shape.TopArity);
    }

    public static byte[] ToBytes(MerkleProof proof)
    {
        var bytes = new byte[GetByteLength(proof)];
        Write(proof, bytes);
        return bytes;
    }

    /// <summary>Encodes <paramref name="proof"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(MerkleProof proof, Span<byte> destination)
    {
        var length = GetByteLength(proof);
        if (destination.Length < length)
        {
            throw new ArgumentException($"the proof takes {length} bytes, the destination has {destination.Length}", nameof(destination));
        }

        var writer = new BincodeWriter(destination);
        Write(ref writer, proof);
        return writer.Position;
    }

    /// <summary>
    /// Decodes one proof from the start of <paramref name="source"/>; <paramref name="bytesRead"/> says
    /// where it ended. The proof's nodes are slices of <paramref name="source"/>.
    /// </summary>
    /// <exception cref="ProofsException">The bytes are not a proof (unknown tag, truncated, impossible counts or indexes).</exception>
    public static MerkleProof Read(ReadOnlyMemory<byte> source, MerkleHasher hasher, out int bytesRead)
    {
        var reader = new BincodeReader(source, "Merkle proof");
        var proof = Read(ref reader, hasher);
        bytesRead = reader.Position;
        return proof;
    }

    /// <summary>Decodes a proof that is the whole of <paramref name="source"/>.</summary>
    /// <exception cref="ProofsException">The bytes are not exactly one proof.</exception>
    public static MerkleProof Parse(ReadOnlyMemory<byte> source, MerkleHasher hasher)
    {
        var reader = new BincodeReader(source, "Merkle proof");
        var proof = Read(ref reader, hasher);
        reader.ExpectEnd();
        return proof;
    }

    internal static void Write(ref BincodeWriter writer, MerkleProof proof)
    {
        writer.WriteU32((uint)proof.Kind);
        if (proof.Kind == MerkleProofKind.Single)
        {
            writer.WriteBytes(proof.Root.Span);
            writer.WriteBytes(proof.Leaf.Span);
            WritePath(ref writer, proof.BasePath);
            return;
        }

        WritePath(ref writer, proof.BasePath);
        WritePath(ref writer, proof.SubPath!);
        if (proof.TopPath != null)
        {
            WritePath(ref writer, proof.TopPath);
        }

        writer.WriteBytes(proof.Root.Span);
        writer.WriteBytes(proof.Leaf.Span);
    }

    internal static MerkleProof Read(ref BincodeReader reader, MerkleHasher hasher)
    {
        var tag = reader.ReadU32();
        switch (tag)
        {
            case (uint)MerkleProofKind.Single:
            {
                var root = reader.Take(NodeBytes);
                var leaf = reader.Take(NodeBytes);
                return new MerkleProof(hasher, root, leaf, ReadPath(ref reader));
            }

            case (uint)MerkleProofKind.Sub:
            {
                var basePath = ReadPath(ref reader);
                var subPath = ReadPath(ref reader);
                var root = reader.Take(NodeBytes);
                return new MerkleProof(hasher, root, reader.Take(NodeBytes), basePath, subPath);
            }

            case (uint)MerkleProofKind.Top:
            {
                var basePath = ReadPath(ref reader);
                var subPath = ReadPath(ref reader);
                var topPath = ReadPath(ref reader);
                var root = reader.Take(NodeBytes);
                return new MerkleProof(hasher, root, reader.Take(NodeBytes), basePath, subPath, topPath);
            }

            default:
                throw reader.Invalid($"unknown proof variant {tag} (0 Single, 1 Sub, 2 Top)");
        }
    }

    private static int ElementLength(int arity) => sizeof(ulong) + ((arity - 1) * NodeBytes) + sizeof(ulong);

    private static int PathLength(InclusionPath? path)
    {
        if (path == null)
        {
            return 0;
        }

        var bytes = sizeof(ulong);
        foreach (var e in path.Elements)
        {
            bytes += ElementLength(e.Arity);
        }

        return bytes;
    }

    private static void WritePath(ref BincodeWriter writer, InclusionPath path)
    {
        writer.WriteU64((ulong)path.Count);
        foreach (var e in path.Elements)
        {
            writer.WriteU64((ulong)(e.Arity - 1));
            writer.WriteBytes(e.Hashes.Span);
            writer.WriteU64((ulong)e.Index);
        }
    }

    private static InclusionPath ReadPath(ref BincodeReader reader)
    {
        var count = reader.ReadLength(ElementLength(2), "path elements");
        var elements = new PathElement[count];
        for (var i = 0; i < count; i++)
        {
            var siblings = reader.ReadLength(NodeBytes, "sibling hashes");
            if (!PathElement.IsSupportedArity(siblings + 1))
            {
                throw reader.Invalid($"a path element with {siblings} siblings (arity {siblings + 1}); arities are 2, 4, 8 or 16");
            }

            var hashes = reader.Take(siblings * NodeBytes);
            var index = reader.ReadU64();
            if (index > (ulong)siblings)
            {
                throw reader.Invalid($"path element index {index} is outside arity {siblings + 1}");
            }

            elements[i] = new PathElement(hashes, (int)index);
        }

        return new InclusionPath(elements);
    }
}
