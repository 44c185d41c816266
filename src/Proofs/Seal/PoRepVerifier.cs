using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Seal;

/// <summary>
/// Checks vanilla PoRep proofs as storage-proofs-porep's verify_all_partitions does: every inclusion proof
/// valid at its index under comm_d, comm_c or comm_r_last; every column's hash the leaf its proof shows;
/// the parents the graph names; every label recomputed from its parents equal to the column's row; and the
/// replica node equal to the data node plus the last layer's label.
/// </summary>
public static class PoRepVerifier
{
    /// <summary>Verifies a whole Commit1 output against its own public inputs and the sector's comm_c / comm_r_last.</summary>
    /// <returns>Null when every proof verifies, else what failed.</returns>
    public static string? Verify(Commit1Output output, byte[] proverId, ulong sectorNumber)
    {
        ArgumentNullException.ThrowIfNull(output);
        var proof = output.Proof;
        var replicaId = ReplicaId.Compute(proverId, sectorNumber, output.Ticket, output.CommD, proof.PoRepId.Span);
        if (!replicaId.AsSpan().SequenceEqual(output.ReplicaId))
        {
            return "replica_id does not follow from the prover, sector, ticket and comm_d";
        }

        var (partitions, perPartition) = PoRepChallenges.Layout(proof);
        if (output.Partitions.Count != partitions)
        {
            return $"{output.Partitions.Count} partitions, expected {partitions}";
        }

        var graph = new StackedGraph(proof);
        for (var k = 0; k < partitions; k++)
        {
            var challenges = PoRepChallenges.Derive(replicaId, output.Seed, proof.Nodes, k, perPartition);
            if (output.Partitions[k].Count != challenges.Length)
            {
                return $"partition {k} has {output.Partitions[k].Count} proofs, expected {challenges.Length}";
            }

            for (var i = 0; i < challenges.Length; i++)
            {
                var p = output.Partitions[k][i];
                var commC = p.Column.InclusionProof.Root.ToArray();
                var commRLast = p.CommRLastProof.Root.ToArray();
                if (!Fr.TryFromBytes(commC, out var c) || !Fr.TryFromBytes(commRLast, out var r) || !PoseidonHash.Hash2(c, r).ToBytes().AsSpan().SequenceEqual(output.CommR))
                {
                    return $"challenge {challenges[i]}: comm_r is not Poseidon(comm_c, comm_r_last) of the proof's roots";
                }

                if (Check(p, graph, proof.Layers, replicaId, challenges[i], output.CommD, commC, commRLast) is { } problem)
                {
                    return $"challenge {challenges[i]} (partition {k}): {problem}";
                }
            }
        }

        return null;
    }

    /// <summary>Checks one challenge's proof; null when it verifies, else what failed.</summary>
    public static string? Check(PoRepVanillaProof p, StackedGraph graph, int layers, ReadOnlySpan<byte> replicaId, ulong challenge, ReadOnlySpan<byte> commD, ReadOnlySpan<byte> commC, ReadOnlySpan<byte> commRLast)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(graph);
        if (!Proves(p.CommDProof, challenge, commD))
        {
            return "the tree_d proof does not lead from the challenged node to comm_d";
        }

        if (!Proves(p.CommRLastProof, challenge, commRLast))
        {
            return "the tree_r_last proof does not lead from the challenged node to comm_r_last";
        }

        Span<uint> parents = stackalloc uint[StackedGraph.Degree];
        graph.Parents(challenge, parents);
        if (p.DrgParents.Count != StackedGraph.BaseDegree || p.ExpParents.Count != StackedGraph.ExpansionDegree)
        {
            return "wrong number of parent columns";
        }

        if (ColumnProblem(p.Column, challenge, layers, commC) is { } columnProblem)
        {
            return columnProblem;
        }

        for (var i = 0; i < StackedGraph.Degree; i++)
        {
            var column = i < StackedGraph.BaseDegree ? p.DrgParents[i] : p.ExpParents[i - StackedGraph.BaseDegree];
            if (ColumnProblem(column, parents[i], layers, commC) is { } parentProblem)
            {
                return "parent " + i + ": " + parentProblem;
            }
        }

        if (p.LabelingProofs.Count != layers)
        {
            return $"{p.LabelingProofs.Count} labeling proofs for {layers} layers";
        }

        for (var layer = 1; layer <= layers; layer++)
        {
            var labeling = p.LabelingProofs[layer - 1];
            var expected = Commit1.LabelingParents(p.DrgParents, p.ExpParents, layer);
            if (labeling.LayerIndex != layer || labeling.Node != challenge || labeling.Parents.Count != expected.Length
                || !labeling.Parents.Zip(expected).All(x => x.First.AsSpan().SequenceEqual(x.Second)))
            {
                return $"the labeling proof of layer {layer} is not over the challenged node's parents";
            }

            if (!Commit1.Label(replicaId, (uint)layer, challenge, labeling.Parents).AsSpan().SequenceEqual(p.Column.Rows[layer - 1]))
            {
                return $"the label of layer {layer} does not follow from its parents";
            }
        }

        var encoding = p.EncodingProof;
        if (encoding.LayerIndex != layers || encoding.Node != challenge || !encoding.Parents.Zip(p.LabelingProofs[^1].Parents).All(x => x.First.AsSpan().SequenceEqual(x.Second)))
        {
            return "the encoding proof is not over the last layer's parents";
        }

        var replica = new byte[32];
        if (Fr.AddCanonical(p.CommDProof.Leaf.Span, p.Column.Rows[layers - 1], replica) >= 0 || !replica.AsSpan().SequenceEqual(p.CommRLastProof.Leaf.Span))
        {
            return "the replica node is not the data node encoded with the last layer's label";
        }

        return null;
    }

    private static bool Proves(MerkleProof proof, ulong index, ReadOnlySpan<byte> root) => proof.Validate((long)index) && proof.Root.Span.SequenceEqual(root);

    private static string? ColumnProblem(ColumnProof column, ulong index, int layers, ReadOnlySpan<byte> commC)
    {
        if (column.Index != index || column.Rows.Count != layers)
        {
            return $"the column is of node {column.Index} with {column.Rows.Count} rows, expected node {index} with {layers}";
        }

        var rows = new byte[layers * 32];
        for (var l = 0; l < layers; l++)
        {
            column.Rows[l].CopyTo(rows, l * 32);
        }

        var hash = new byte[32];
        try
        {
            PoseidonHash.Hash(rows, hash);
        }
        catch (ProofsException)
        {
            return "a column row is not a field element";
        }

        return hash.AsSpan().SequenceEqual(column.InclusionProof.Leaf.Span) && Proves(column.InclusionProof, index, commC)
            ? null
            : $"the column of node {index} is not in tree_c under comm_c";
    }
}
