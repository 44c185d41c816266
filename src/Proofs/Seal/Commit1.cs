using System.Buffers.Binary;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.Sdr;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Seal;

/// <summary>
/// Commit1 as rust-fil-proofs' seal_commit_phase1 (filecoin-proofs/src/api/seal.rs; challenges from
/// storage-proofs-porep stacked/vanilla/challenges.rs <c>InteractiveChallenges::derive</c>): checks the pieces against comm_d and
/// comm_r against p_aux, derives replica_id and the interactive challenges from the seed, and for every
/// challenge builds the vanilla PoRep proof from the cache files (tree_d, tree_c, tree_r_last, layers)
/// and the replica — then verifies every proof before returning the JSON Commit2 consumes.
/// </summary>
public static class Commit1
{
    /// <summary>Labels hashed into a non-first node's label (6 or 14 parents, repeated).</summary>
    public const int LabelParents = 37;

    /// <summary>Runs C1 on a thread of its own.</summary>
    public static Task<Commit1Output> RunAsync(Commit1Request request, CancellationToken cancellationToken = default)
        => Task.Factory.StartNew(() => Run(request, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <exception cref="ProofsException">A commitment, piece or file does not match, or a proof does not verify.</exception>
    public static Commit1Output Run(Commit1Request request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var proof = request.Proof;
        if (proof.Features != SealProofFeatures.None)
        {
            throw new ProofsException($"{proof.Name}: Commit1 of synthetic and non-interactive PoRep is not supported by Kiln");
        }

        foreach (var (name, value) in new[] { ("ticket", request.Ticket), ("seed", request.Seed), ("prover_id", request.ProverId) })
        {
            if (value is not { Length: 32 })
            {
                throw new ProofsException($"the {name} must be 32 bytes, got {value?.Length ?? 0}");
            }
        }

        RequireField(request.CommR, "comm_r");
        RequireField(request.CommD, "comm_d");
        var piecesCommD = Pieces.CommD.Compute(proof.SectorSize, request.Pieces);
        if (!piecesCommD.AsSpan().SequenceEqual(request.CommD))
        {
            throw new ProofsException($"pieces and comm_d do not match: the pieces give {Multiformats.CommCid.ToPieceCid(piecesCommD)}, comm_d is {Multiformats.CommCid.ToPieceCid(request.CommD)}");
        }

        var aux = PersistentAux.Read(request.CacheDir);
        var commR = PoseidonHash.Hash2(Fr.FromBytes(aux.CommC), Fr.FromBytes(aux.CommRLast)).ToBytes();
        if (!commR.AsSpan().SequenceEqual(request.CommR))
        {
            throw new ProofsException($"comm_r {Multiformats.CommCid.ToSealedCid(request.CommR)} is not the sector's: its p_aux gives {Multiformats.CommCid.ToSealedCid(commR)}");
        }

        var replicaId = ReplicaId.Compute(request.ProverId, request.SectorNumber, request.Ticket, request.CommD, proof.PoRepId.Span);
        using var files = SectorFiles.Open(proof, request.CacheDir, request.ReplicaPath);
        if (!files.TreeC.Root.SequenceEqual(aux.CommC) || !files.TreeRLast.Root.SequenceEqual(aux.CommRLast) || !files.TreeD.Root.SequenceEqual(request.CommD))
        {
            throw new ProofsException($"the trees in {request.CacheDir} do not have the roots p_aux and comm_d name: the cache is damaged or of another sector");
        }

        var graph = new StackedGraph(proof);
        var (partitions, perPartition) = PoRepChallenges.Layout(proof);
        var output = new IReadOnlyList<PoRepVanillaProof>[partitions];
        for (var k = 0; k < partitions; k++)
        {
            var challenges = PoRepChallenges.Derive(replicaId, request.Seed, proof.Nodes, k, perPartition);
            var proofs = new PoRepVanillaProof[challenges.Length];
            for (var i = 0; i < challenges.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                proofs[i] = Prove(files, graph, proof.Layers, challenges[i]);
                var problem = PoRepVerifier.Check(proofs[i], graph, proof.Layers, replicaId, challenges[i], request.CommD, aux.CommC, aux.CommRLast);
                if (problem != null)
                {
                    throw new ProofsException($"the vanilla proof of challenge {challenges[i]} (partition {k}) does not verify: {problem}");
                }
            }

            output[k] = proofs;
        }

        return new Commit1Output(proof, output, (byte[])request.CommR.Clone(), (byte[])request.CommD.Clone(), replicaId, (byte[])request.Seed.Clone(), (byte[])request.Ticket.Clone());
    }

    private static void RequireField(byte[]? value, string name)
    {
        if (value is not { Length: 32 } || !Fr.TryFromBytes(value, out _))
        {
            throw new ProofsException($"{name} must be a 32-byte field element");
        }
    }

    private static PoRepVanillaProof Prove(SectorFiles files, StackedGraph graph, int layers, ulong challenge)
    {
        Span<uint> parents = stackalloc uint[StackedGraph.Degree];
        graph.Parents(challenge, parents);
        var column = files.Column(challenge);
        var drg = new ColumnProof[StackedGraph.BaseDegree];
        var exp = new ColumnProof[StackedGraph.ExpansionDegree];
        for (var i = 0; i < drg.Length; i++)
        {
            drg[i] = files.Column(parents[i]);
        }

        for (var i = 0; i < exp.Length; i++)
        {
            exp[i] = files.Column(parents[StackedGraph.BaseDegree + i]);
        }

        var labeling = new LabelingProof[layers];
        for (var layer = 1; layer <= layers; layer++)
        {
            labeling[layer - 1] = new LabelingProof(LabelingParents(drg, exp, layer), (uint)layer, challenge);
        }

        return new PoRepVanillaProof(
            files.TreeD.GenerateProof((long)challenge),
            files.TreeRLast.GenerateProof((long)challenge),
            column,
            drg,
            exp,
            labeling,
            labeling[^1] with { });
    }

    /// <summary>
    /// The 37 labels hashed into a label of <paramref name="layer"/>: the DRG parents' labels in that layer
    /// (layer 1), or those and the expander parents' labels of the layer below, repeated cyclically.
    /// </summary>
    internal static byte[][] LabelingParents(IReadOnlyList<ColumnProof> drg, IReadOnlyList<ColumnProof> exp, int layer)
    {
        var used = new List<byte[]>(StackedGraph.Degree);
        used.AddRange(drg.Select(c => c.Rows[layer - 1]));
        if (layer > 1)
        {
            used.AddRange(exp.Select(c => c.Rows[layer - 2]));
        }

        var parents = new byte[LabelParents][];
        for (var i = 0; i < LabelParents; i++)
        {
            parents[i] = used[i % used.Count];
        }

        return parents;
    }

    /// <summary>
    /// The label of <paramref name="node"/> in <paramref name="layer"/> from its 37 parent labels:
    /// trunc254(SHA-256(replica_id ‖ layer u32 BE ‖ node u64 BE ‖ 20 zero bytes ‖ parents)).
    /// </summary>
    internal static byte[] Label(ReadOnlySpan<byte> replicaId, uint layer, ulong node, IReadOnlyList<byte[]> parents)
    {
        var input = new byte[64 + (parents.Count * 32)];
        replicaId.CopyTo(input);
        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(32), layer);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(36), node);
        for (var i = 0; i < parents.Count; i++)
        {
            parents[i].CopyTo(input, 64 + (i * 32));
        }

        var label = System.Security.Cryptography.SHA256.HashData(input);
        label[31] &= 0x3f;
        return label;
    }

    /// <summary>The files of a sealed sector C1 reads: tree_d, tree_c, tree_r_last over the replica, and the layers.</summary>
    private sealed class SectorFiles : IDisposable
    {
        private readonly SafeFileHandle[] _layers;

        private readonly string _cacheDir;

        private SectorFiles(StoredTree treeD, SectorTree treeC, SectorTree treeRLast, SafeFileHandle[] layers, string cacheDir)
        {
            _cacheDir = cacheDir;
            TreeD = treeD;
            TreeC = treeC;
            TreeRLast = treeRLast;
            _layers = layers;
        }

        public StoredTree TreeD { get; }

        public SectorTree TreeC { get; }

        public SectorTree TreeRLast { get; }

        public static SectorFiles Open(SealProofInfo proof, string cacheDir, string replicaPath)
        {
            var shape = SectorTreeShape.For(proof.SectorSize);
            var layers = new SafeFileHandle[proof.Layers];
            StoredTree? treeD = null;
            SectorTree? treeC = null;
            try
            {
                for (var l = 0; l < layers.Length; l++)
                {
                    var path = CacheFiles.Layer(cacheDir, l + 1);
                    if (!File.Exists(path))
                    {
                        throw new ProofsException($"layer file {path} does not exist: Commit1 needs the cache as PreCommit2 left it (before FinalizeSector)");
                    }

                    layers[l] = StoreFile.OpenRead(path, "layer");
                    StoreFile.CheckLength(layers[l], path, "layer", (long)proof.SectorSize);
                }

                treeD = DiskStoreTree.OpenTreeD(cacheDir, proof.SectorSize);
                treeC = SectorTree.OpenTreeC(shape, cacheDir);
                var treeRLast = SectorTree.OpenTreeRLast(shape, cacheDir, replicaPath);
                return new SectorFiles(treeD, treeC, treeRLast, layers, cacheDir);
            }
            catch
            {
                treeD?.Dispose();
                treeC?.Dispose();
                foreach (var l in layers)
                {
                    l?.Dispose();
                }

                throw;
            }
        }

        public ColumnProof Column(ulong node)
        {
            var rows = new byte[_layers.Length][];
            for (var l = 0; l < rows.Length; l++)
            {
                rows[l] = new byte[32];
                StoreFile.ReadExactly(_layers[l], rows[l], (long)node * 32, CacheFiles.Layer(_cacheDir, l + 1), "layer");
            }

            return new ColumnProof((uint)node, rows, TreeC.GenerateProof((long)node));
        }

        public void Dispose()
        {
            TreeD.Dispose();
            TreeC.Dispose();
            TreeRLast.Dispose();
            foreach (var l in _layers)
            {
                l.Dispose();
            }
        }
    }
}
