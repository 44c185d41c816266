using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.Seal;

namespace Kiln.Proofs.PoSt;

/// <summary>
/// Vanilla fallback PoSt proofs: filecoin-ffi's
/// <c>generate_single_vanilla_proof</c> — tree_r_last inclusion proofs of a sector's challenged leaves,
/// read from its cache directory and replica — and their verification as
/// storage-proofs-post/src/fallback/vanilla.rs <c>FallbackPoSt::verify_all_partitions</c> checks them
/// before the SNARK.
/// </summary>
public static class VanillaPoSt
{
    /// <summary>The bincode bytes of <see cref="Prove(PrivateReplicaInfo, ReadOnlySpan{ulong}, int)"/>: what filecoin-ffi returns and the SNARK step consumes.</summary>
    /// <exception cref="ProofsException">See <see cref="Prove(PrivateReplicaInfo, ReadOnlySpan{ulong}, int)"/>.</exception>
    public static byte[] GenerateSingleVanillaProof(PrivateReplicaInfo replica, ReadOnlySpan<ulong> challenges, int maxDegreeOfParallelism = 1)
        => Prove(replica, challenges, maxDegreeOfParallelism).ToBytes();

    /// <summary><see cref="GenerateSingleVanillaProof(PrivateReplicaInfo, ReadOnlySpan{ulong}, int)"/> that stops between challenges once <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="ProofsException">See <see cref="Prove(PrivateReplicaInfo, ReadOnlySpan{ulong}, int, CancellationToken)"/>.</exception>
    /// <exception cref="OperationCanceledException">The token fired before the last challenge was proven.</exception>
    public static byte[] GenerateSingleVanillaProof(PrivateReplicaInfo replica, ReadOnlySpan<ulong> challenges, int maxDegreeOfParallelism, CancellationToken cancellationToken)
        => Prove(replica, challenges, maxDegreeOfParallelism, cancellationToken).ToBytes();

    /// <summary>
    /// Proves the challenged leaves of one sector: reads p_aux (comm_c, comm_r_last), checks comm_r =
    /// Poseidon₂(comm_c, comm_r_last) and that tree_r_last's root is comm_r_last, then builds one
    /// inclusion proof per challenge (in order) and checks each proves its leaf up to comm_r_last.
    /// With <paramref name="maxDegreeOfParallelism"/> above 1 the challenges are proven on that many threads.
    /// </summary>
    /// <exception cref="ProofsException">
    /// comm_r is not a field element or does not match p_aux; p_aux, a tree-r-last file or the replica
    /// is missing or has the wrong size; a challenge is outside the sector; a proof does not verify
    /// (replica or tree-r-last corrupt).
    /// </exception>
    public static FallbackPoStSectorProof Prove(PrivateReplicaInfo replica, ReadOnlySpan<ulong> challenges, int maxDegreeOfParallelism = 1)
        => Prove(replica, challenges, maxDegreeOfParallelism, CancellationToken.None);

    /// <summary>
    /// <see cref="Prove(PrivateReplicaInfo, ReadOnlySpan{ulong}, int)"/>, checking <paramref name="cancellationToken"/>
    /// before the trees are opened and between challenges, so a caller that went away stops the work.
    /// </summary>
    /// <exception cref="ProofsException">See <see cref="Prove(PrivateReplicaInfo, ReadOnlySpan{ulong}, int)"/>.</exception>
    /// <exception cref="OperationCanceledException">The token fired before the last challenge was proven.</exception>
    public static FallbackPoStSectorProof Prove(PrivateReplicaInfo replica, ReadOnlySpan<ulong> challenges, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replica);
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        var info = PoStProofInfo.Get(replica.Proof);
        var sector = replica.SectorId;
        SafeCommitment.Check(replica.CommR.Span, "comm_r");
        var aux = PersistentAux.Read(replica.CacheDir);
        if (!CommRMatches(aux.CommC, aux.CommRLast, replica.CommR.Span))
        {
            throw new ProofsException($"sector {sector}: comm_r {Hex(replica.CommR.Span)} is not Poseidon₂(comm_c, comm_r_last) of {PersistentAux.PathIn(replica.CacheDir)}");
        }

        foreach (var c in challenges)
        {
            if (c >= info.Nodes)
            {
                throw new ProofsException($"sector {sector}: challenge {c} is outside the sector's {info.Nodes} nodes");
            }
        }

        using var tree = SectorTree.OpenTreeRLast(info.TreeShape, replica.CacheDir, replica.ReplicaPath);
        if (!tree.Root.SequenceEqual(aux.CommRLast))
        {
            throw new ProofsException($"sector {sector}: the tree-r-last root {Hex(tree.Root)} is not comm_r_last {Hex(aux.CommRLast)} of p_aux");
        }

        var leaves = challenges.ToArray();
        var proofs = new MerkleProof[leaves.Length];
        if (maxDegreeOfParallelism == 1 || leaves.Length < 2)
        {
            for (var i = 0; i < leaves.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                proofs[i] = ProveLeaf(tree, leaves[i], sector);
            }
        }
        else
        {
            Parallel.For(
                0,
                leaves.Length,
                new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken },
                i => proofs[i] = ProveLeaf(tree, leaves[i], sector));
        }

        return new FallbackPoStSectorProof(sector, replica.CommR.ToArray(), [new SectorProof(proofs, aux.CommC, aux.CommRLast)]);
    }

    /// <summary>Whether <paramref name="vanillaProof"/> is a valid vanilla proof of the sector for this randomness.</summary>
    /// <exception cref="ProofsException">The randomness or comm_r is not a field element (as_safe_commitment).</exception>
    public static bool VerifyVanillaProof(RegisteredPoStProof proof, ReadOnlySpan<byte> randomness, ulong sectorId, ReadOnlySpan<byte> commR, ReadOnlyMemory<byte> vanillaProof, int sectorIndex = 0)
        => VerifyVanillaProof(proof, randomness, sectorId, commR, vanillaProof, out _, sectorIndex);

    /// <summary>
    /// Verifies a vanilla proof as storage-proofs-post does before the SNARK: it decodes, is for
    /// <paramref name="sectorId"/> and <paramref name="commR"/>, holds one sector proof with
    /// comm_r = Poseidon₂(comm_c, comm_r_last) and one inclusion proof per challenge — recomputed from
    /// the randomness (<paramref name="sectorIndex"/> is the sector's position, which only the 1.0.0
    /// Window proofs use) — each of the tree's shape, rooted at comm_r_last and proving its challenged leaf.
    /// <paramref name="failure"/> says what failed.
    /// </summary>
    /// <exception cref="ProofsException">The randomness or comm_r is not a field element (as_safe_commitment).</exception>
    public static bool VerifyVanillaProof(RegisteredPoStProof proof, ReadOnlySpan<byte> randomness, ulong sectorId, ReadOnlySpan<byte> commR, ReadOnlyMemory<byte> vanillaProof, out string? failure, int sectorIndex = 0)
    {
        var info = PoStProofInfo.Get(proof);
        SafeCommitment.Check(randomness, "randomness");
        SafeCommitment.Check(commR, "comm_r");
        failure = Check(info, randomness, sectorId, commR, vanillaProof, sectorIndex);
        return failure == null;
    }

    /// <summary>Whether comm_r = Poseidon₂(comm_c, comm_r_last).</summary>
    internal static bool CommRMatches(ReadOnlySpan<byte> commC, ReadOnlySpan<byte> commRLast, ReadOnlySpan<byte> commR)
    {
        if (!Fr.TryFromBytes(commC, out var c) || !Fr.TryFromBytes(commRLast, out var rLast))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Fr.ByteLength];
        PoseidonHash.Hash2(c, rLast).WriteBytes(expected);
        return expected.SequenceEqual(commR);
    }

    private static MerkleProof ProveLeaf(SectorTree tree, ulong leaf, ulong sector)
    {
        var proof = tree.GenerateProof((long)leaf);
        if (!proof.Validate((long)leaf))
        {
            throw new ProofsException($"sector {sector}: the inclusion proof of challenged leaf {leaf} does not hash to the tree-r-last root: the replica or tree-r-last is corrupt");
        }

        return proof;
    }

    private static string? Check(PoStProofInfo info, ReadOnlySpan<byte> randomness, ulong sectorId, ReadOnlySpan<byte> commR, ReadOnlyMemory<byte> vanillaProof, int sectorIndex)
    {
        FallbackPoStSectorProof parsed;
        try
        {
            parsed = FallbackPoStSectorProof.Parse(vanillaProof);
        }
        catch (ProofsException e)
        {
            return e.Message;
        }

        if (parsed.SectorId != sectorId)
        {
            return $"the proof is for sector {parsed.SectorId}, not {sectorId}";
        }

        if (!parsed.CommR.Span.SequenceEqual(commR))
        {
            return $"the proof carries comm_r {Hex(parsed.CommR.Span)}, not {Hex(commR)}";
        }

        if (parsed.Sectors.Count != 1)
        {
            return $"the proof holds {parsed.Sectors.Count} sector proofs, not 1";
        }

        var sector = parsed.Sectors[0];
        if (!CommRMatches(sector.CommC.Span, sector.CommRLast.Span, commR))
        {
            return "comm_r is not Poseidon₂(comm_c, comm_r_last)";
        }

        if (sector.InclusionProofs.Count != info.ChallengeCount)
        {
            return $"the proof holds {sector.InclusionProofs.Count} inclusion proofs, {info.Name} challenges {info.ChallengeCount} leaves";
        }

        var challenges = PoStChallenges.SectorChallenges(info, randomness, sectorId, sectorIndex);
        for (var n = 0; n < challenges.Length; n++)
        {
            var p = sector.InclusionProofs[n];
            if (!p.Root.Span.SequenceEqual(sector.CommRLast.Span))
            {
                return $"inclusion proof {n} has root {Hex(p.Root.Span)}, not comm_r_last";
            }

            if (!HasShape(p, info.TreeShape))
            {
                return $"inclusion proof {n} is not a {info.TreeShape.TreeCount}-tree ({SectorTreeShape.BaseArity},{info.TreeShape.SubArity},{info.TreeShape.TopArity}) proof of {info.TreeShape.Base.Rows - 1} base levels";
            }

            if (!p.Validate((long)challenges[n]))
            {
                return $"inclusion proof {n} does not prove challenged leaf {challenges[n]} (proves {p.LeafIndex}, or its path does not hash to its root)";
            }
        }

        return null;
    }

    /// <summary>The proof's kind and levels are those of the shape's trees (rust checks the path length; arities are types there).</summary>
    private static bool HasShape(MerkleProof proof, SectorTreeShape shape)
    {
        var kind = shape.TopArity > 0 ? MerkleProofKind.Top : shape.SubArity > 0 ? MerkleProofKind.Sub : MerkleProofKind.Single;
        return proof.Kind == kind
            && proof.BasePath.Count == shape.Base.Rows - 1
            && proof.BasePath.HasArity(SectorTreeShape.BaseArity)
            && (proof.SubPath == null || (proof.SubPath.Count == 1 && proof.SubPath.HasArity(shape.SubArity)))
            && (proof.TopPath == null || (proof.TopPath.Count == 1 && proof.TopPath.HasArity(shape.TopArity)));
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
