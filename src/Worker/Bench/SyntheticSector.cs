using Kiln.Proofs;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;

namespace Kiln.Worker.Bench;

/// <summary>
/// A sealed sector made up for PoSt: a replica of random canonical nodes, its tree-r-last
/// LevelCacheStore files (one per base tree, as the shape splits them) and a p_aux with a random
/// comm_c — everything <c>generate_single_vanilla_proof</c> reads, without sealing. Kept in
/// <c>DIR/&lt;size&gt;/</c> (<c>sealed</c>, <c>cache/</c>) so later runs can reuse it.
/// </summary>
internal sealed record SyntheticSector(string CacheDir, string ReplicaPath, SectorTreeShape Shape, byte[] CommC, byte[] CommRLast, byte[] CommR)
{
    private const int ChunkBytes = 8 << 20;

    /// <summary>The sector in <paramref name="dir"/> if a complete one of this size is there, else null.</summary>
    public static SyntheticSector? TryOpen(string dir, ulong sectorSize)
    {
        var shape = SectorTreeShape.For(sectorSize);
        var (cache, replica) = Paths(dir, shape);
        if (!File.Exists(PersistentAux.PathIn(cache)) || !File.Exists(replica) || new FileInfo(replica).Length != (long)sectorSize)
        {
            return null;
        }

        for (var i = 0; i < shape.TreeCount; i++)
        {
            var tree = new FileInfo(CacheFiles.TreeRLast(cache, shape, i));
            if (!tree.Exists || tree.Length != shape.Base.LevelCacheLength(shape.RowsToDiscard) * Fr.ByteLength)
            {
                return null;
            }
        }

        var aux = PersistentAux.Read(cache);
        return new SyntheticSector(cache, replica, shape, aux.CommC, aux.CommRLast, CommRFor(aux.CommC, aux.CommRLast));
    }

    /// <summary>
    /// Writes a new sector of <paramref name="sectorSize"/> under <paramref name="dir"/> (p_aux last, so
    /// an interrupted run leaves nothing <see cref="TryOpen"/> accepts). Rows are hashed on up to
    /// <paramref name="maxDegreeOfParallelism"/> threads.
    /// </summary>
    public static SyntheticSector Create(string dir, ulong sectorSize, Random random, int maxDegreeOfParallelism = 1, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        var shape = SectorTreeShape.For(sectorSize);
        var (cache, replicaPath) = Paths(dir, shape);
        Directory.CreateDirectory(cache);
        File.Delete(PersistentAux.PathIn(cache));
        var baseBytes = shape.BaseLeaves * Fr.ByteLength;
        var chunk = new byte[(int)Math.Min(ChunkBytes, baseBytes)];
        var baseRoots = new byte[shape.TreeCount * Fr.ByteLength];
        using (var replica = File.OpenHandle(replicaPath, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, (long)sectorSize))
        {
            for (var i = 0; i < shape.TreeCount; i++)
            {
                using var treeFile = File.OpenHandle(CacheFiles.TreeRLast(cache, shape, i), FileMode.Create, FileAccess.Write);
                var tree = PoseidonTreeBuilder.ForLevelCache(shape.Base, shape.RowsToDiscard, PoseidonTreeBuilder.FileStore(treeFile), maxDegreeOfParallelism);
                for (long done = 0; done < baseBytes; done += chunk.Length)
                {
                    RandomCanonicalNodes(random, chunk);
                    RandomAccess.Write(replica, chunk, (i * baseBytes) + done);
                    tree.Append(chunk);
                    progress?.Report(((i * baseBytes) + done + chunk.Length) / (double)sectorSize);
                }

                tree.Root.CopyTo(baseRoots, i * Fr.ByteLength);
            }
        }

        var commRLast = PoseidonTree.CombineRoots(baseRoots, shape.SubArity, shape.TopArity);
        var commC = new byte[Fr.ByteLength];
        RandomCanonicalNodes(random, commC);
        new PersistentAux(commC, commRLast).Write(cache);
        return new SyntheticSector(cache, replicaPath, shape, commC, commRLast, CommRFor(commC, commRLast));
    }

    /// <summary>What PoSt needs to prove this sector as <paramref name="sectorId"/> under <paramref name="proof"/>.</summary>
    public PrivateReplicaInfo Replica(RegisteredPoStProof proof, ulong sectorId) => new(proof, CacheDir, CommR, ReplicaPath, sectorId);

    /// <summary>Random bytes with the two top bits of every node's last byte cleared: each node is below 2^254 &lt; p.</summary>
    public static void RandomCanonicalNodes(Random random, Span<byte> nodes)
    {
        ArgumentNullException.ThrowIfNull(random);
        random.NextBytes(nodes);
        for (var i = Fr.ByteLength - 1; i < nodes.Length; i += Fr.ByteLength)
        {
            nodes[i] &= 0x3f;
        }
    }

    private static byte[] CommRFor(byte[] commC, byte[] commRLast) => PoseidonHash.Hash2(Fr.FromBytes(commC), Fr.FromBytes(commRLast)).ToBytes();

    private static (string Cache, string Replica) Paths(string dir, SectorTreeShape shape)
    {
        var root = Path.Combine(dir, SectorSizes.Format(shape.SectorSize));
        return (Path.Combine(root, "cache"), Path.Combine(root, "sealed"));
    }
}
