using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;
using Kiln.Proofs.Merkle;
using Kiln.Proofs.Sdr;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Seal;

/// <summary>
/// PreCommit2 as rust-fil-proofs' seal_pre_commit_phase2 does it on the CPU (filecoin-proofs/src/api/seal.rs;
/// storage-proofs-porep stacked/vanilla/proof.rs <c>generate_tree_c_cpu</c>, <c>generate_tree_r_last_cpu</c>): tree_c over the column hashes of every layer, the replica encoding of the sealed file
/// (data + last layer), tree_r_last over the replica, comm_r = Poseidon₂(comm_c, comm_r_last), and the
/// <c>p_aux</c> / <c>t_aux</c> files. Reads PC1 output written by Kiln or by rust-fil-proofs.
/// </summary>
public static class PreCommit2
{
    /// <summary>Nodes read per layer at a time (2 MiB per layer).</summary>
    private const int ChunkNodes = 1 << 16;

    /// <summary>Runs PC2 on a thread of its own.</summary>
    public static Task<PreCommit2Output> RunAsync(PreCommit1Output pc1, string cacheDir, string sealedPath, IProgress<PreCommit2Progress>? progress = null, int maxDegreeOfParallelism = 0, CancellationToken cancellationToken = default)
        => Task.Factory.StartNew(
            () => Run(pc1, cacheDir, sealedPath, progress, maxDegreeOfParallelism, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>Runs PC2. The layer files are read from <paramref name="cacheDir"/> (where the sector is now, whatever path PC1 recorded).</summary>
    /// <exception cref="ProofsException">A file is missing, short or damaged, or comm_d is malformed.</exception>
    public static PreCommit2Output Run(PreCommit1Output pc1, string cacheDir, string sealedPath, IProgress<PreCommit2Progress>? progress = null, int maxDegreeOfParallelism = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pc1);
        var proof = pc1.Proof;
        var shape = SectorTreeShape.For(proof.SectorSize);
        var dop = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        if (!Fr.TryFromBytes(pc1.CommD, out _))
        {
            throw new ProofsException("comm_d of the PreCommit1Out is not a field element");
        }

        var layers = new SafeFileHandle[proof.Layers];
        try
        {
            for (var l = 0; l < layers.Length; l++)
            {
                layers[l] = OpenSized(CacheFiles.Layer(cacheDir, l + 1), proof.SectorSize, FileAccess.Read, "layer");
            }

            var commC = BuildTreeC(shape, layers, cacheDir, progress, dop, cancellationToken);
            using var sealedFile = OpenSized(sealedPath, proof.SectorSize, FileAccess.ReadWrite, "sealed");
            var lastLayerPath = CacheFiles.Layer(cacheDir, proof.Layers);
            var encoding = ReplicaEncoding.Resume(cacheDir, sealedFile, sealedPath, shape.SectorSize);
            try
            {
                var commRLast = EncodeAndBuildTreeRLast(shape, encoding, sealedFile, sealedPath, layers[^1], lastLayerPath, cacheDir, progress, dop, cancellationToken);
                var commR = PoseidonHash.Hash2(Fr.FromBytes(commC), Fr.FromBytes(commRLast)).ToBytes();
                new PersistentAux(commC, commRLast).Write(cacheDir);
                TemporaryAux.For(proof, shape, cacheDir).Write(cacheDir);
                encoding.Finish();
                return new PreCommit2Output(proof, (byte[])pc1.CommD.Clone(), commR, commC, commRLast);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // No journal may stay in the cache another host can fetch: undo the encoding. A stopped run (cancelled,
                // or a process that dies) keeps the journal and the next PreCommit2 here resumes from it.
                RollBack(encoding, layers[^1], lastLayerPath, sealedPath, e);
                throw;
            }
        }
        finally
        {
            foreach (var layer in layers)
            {
                layer?.Dispose();
            }
        }
    }

    private static byte[] BuildTreeC(SectorTreeShape shape, SafeFileHandle[] layers, string cacheDir, IProgress<PreCommit2Progress>? progress, int dop, CancellationToken cancellationToken)
    {
        var count = layers.Length;
        var chunk = (int)Math.Min(ChunkNodes, shape.BaseLeaves);
        var layerChunks = new byte[count][];
        for (var l = 0; l < count; l++)
        {
            layerChunks[l] = new byte[chunk * Fr.ByteLength];
        }

        var columns = new byte[chunk * count * Fr.ByteLength];
        var leaves = new byte[chunk * Fr.ByteLength];
        var roots = new byte[shape.TreeCount * Fr.ByteLength];
        for (var tree = 0; tree < shape.TreeCount; tree++)
        {
            var path = CacheFiles.TreeC(cacheDir, shape, tree);
            WriteTree(path, shape, rowsToDiscard: null, roots.AsSpan(tree * Fr.ByteLength, Fr.ByteLength), builder =>
            {
                for (long first = 0; first < shape.BaseLeaves; first += chunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var offset = ((tree * shape.BaseLeaves) + first) * Fr.ByteLength;
                    for (var l = 0; l < count; l++)
                    {
                        StoreFile.ReadExactly(layers[l], layerChunks[l], offset, CacheFiles.Layer(cacheDir, l + 1), "layer");
                    }

                    // Column n = (label₁[n], …, label_layers[n]) side by side, then one Poseidon_layers per column.
                    for (var n = 0; n < chunk; n++)
                    {
                        for (var l = 0; l < count; l++)
                        {
                            layerChunks[l].AsSpan(n * Fr.ByteLength, Fr.ByteLength).CopyTo(columns.AsSpan(((n * count) + l) * Fr.ByteLength));
                        }
                    }

                    HashChecked(columns, leaves, count, dop, "a layer file holds a label that is not a field element");
                    builder.Append(leaves);
                    progress?.Report(new PreCommit2Progress("tree-c", (ulong)((tree * shape.BaseLeaves) + first + chunk), shape.Nodes));
                }
            }, dop);
        }

        return PoseidonTree.CombineRoots(roots, shape.SubArity, shape.TopArity);
    }

    private static void RollBack(ReplicaEncoding encoding, SafeFileHandle lastLayer, string lastLayerPath, string sealedPath, Exception failure)
    {
        try
        {
            encoding.Rollback(lastLayer, lastLayerPath, ChunkNodes * Fr.ByteLength);
        }
        catch (Exception e) when (e is ProofsException or IOException or UnauthorizedAccessException)
        {
            throw new ProofsException($"{failure.Message}; undoing the replica encoding of {sealedPath} failed too ({e.Message}): its journal stays in the cache directory for the next PreCommit2 here", failure);
        }
    }

    private static byte[] EncodeAndBuildTreeRLast(SectorTreeShape shape, ReplicaEncoding encoding, SafeFileHandle sealedFile, string sealedPath, SafeFileHandle lastLayer, string lastLayerPath, string cacheDir, IProgress<PreCommit2Progress>? progress, int dop, CancellationToken cancellationToken)
    {
        var chunk = (int)Math.Min(ChunkNodes, shape.BaseLeaves);
        var data = new byte[chunk * Fr.ByteLength];
        var key = new byte[chunk * Fr.ByteLength];
        var roots = new byte[shape.TreeCount * Fr.ByteLength];
        for (var tree = 0; tree < shape.TreeCount; tree++)
        {
            var path = CacheFiles.TreeRLast(cacheDir, shape, tree);
            WriteTree(path, shape, shape.RowsToDiscard, roots.AsSpan(tree * Fr.ByteLength, Fr.ByteLength), builder =>
            {
                for (long first = 0; first < shape.BaseLeaves; first += chunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var offset = ((tree * shape.BaseLeaves) + first) * Fr.ByteLength;
                    StoreFile.ReadExactly(sealedFile, data, offset, sealedPath, "sealed");
                    if ((ulong)offset >= encoding.EncodedBytes)
                    {
                        StoreFile.ReadExactly(lastLayer, key, offset, lastLayerPath, "layer");
                        encoding.Encode(offset, data, key);
                    }

                    try
                    {
                        builder.Append(data);
                    }
                    catch (ProofsException e)
                    {
                        throw new ProofsException($"the sealed file {sealedPath} holds a node that is not a field element near byte {offset}: it is damaged", e);
                    }

                    progress?.Report(new PreCommit2Progress("tree-r-last", (ulong)((tree * shape.BaseLeaves) + first + chunk), shape.Nodes));
                }
            }, dop);
        }

        encoding.Complete();
        return PoseidonTree.CombineRoots(roots, shape.SubArity, shape.TopArity);
    }

    /// <summary>Builds one base tree into its store file (a DiskStore, or with rows to discard a LevelCacheStore): through "..tmp", flushed and renamed.</summary>
    private static void WriteTree(string path, SectorTreeShape shape, int? rowsToDiscard, Span<byte> root, Action<PoseidonTreeBuilder> fill, int dop)
    {
        var tmp = CacheFiles.Temporary(path);
        try
        {
            using var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.ReadWrite);
            var store = PoseidonTreeBuilder.FileStore(handle);
            var builder = rowsToDiscard is { } r
                ? PoseidonTreeBuilder.ForLevelCache(shape.Base, r, store, dop)
                : PoseidonTreeBuilder.ForDiskStore(shape.Base, store, dop);
            fill(builder);
            builder.Root.CopyTo(root);
            RandomAccess.FlushToDisk(handle);
        }
        catch
        {
            // A half-built tree is no file of Lotus's cache layout: it does not stay behind.
            File.Delete(tmp);
            throw;
        }

        File.Move(tmp, path, overwrite: true);
    }

    private static void HashChecked(ReadOnlySpan<byte> columns, Span<byte> leaves, int arity, int dop, string damaged)
    {
        try
        {
            PoseidonTree.HashRow(columns, leaves, arity, dop);
        }
        catch (ProofsException e)
        {
            throw new ProofsException(damaged + ": " + e.Message, e);
        }
    }

    /// <summary>Opens a sector-sized file: missing or of another size is a clear error.</summary>
    private static SafeFileHandle OpenSized(string path, ulong sectorSize, FileAccess access, string what)
    {
        var handle = StoreFile.Open(path, what, access);
        try
        {
            StoreFile.CheckLength(handle, path, what, (long)sectorSize);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
