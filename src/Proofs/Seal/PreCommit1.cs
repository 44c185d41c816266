using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Proofs.Seal;

/// <summary>
/// PreCommit1 as Lotus's ffiwrapper drives rust-fil-proofs: clear the sealed file and cache dir,
/// copy the staged data to the sealed path (zero-extended to the sector size), build tree_d and
/// comm_d, check comm_d against the pieces, derive replica_id, label every layer, and return the
/// output Lotus stores as PreCommit1Out.
/// </summary>
public static class PreCommit1
{
    /// <summary>
    /// Runs PC1. With a <c>pool</c>, the layers' memory comes from that shared label pool (blocks taken as
    /// labeling advances) instead of two sector-sized buffers of this job's own.
    /// </summary>
    /// <remarks>With a <c>batcher</c> (and no pool), PC1 jobs of the same proof type that start together are labeled as one batch.</remarks>
    public static async Task<PreCommit1Output> RunAsync(PreCommit1Request request, ParentCacheOptions parentCache, LabelKernel kernel = LabelKernel.Auto, IProgress<LabelingProgress>? progress = null, LabelPool? pool = null, CancellationToken cancellationToken = default, LabelBatcher? batcher = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var proof = request.Proof;
        if (request.Ticket is not { Length: 32 })
        {
            throw new ProofsException($"the ticket must be 32 bytes, got {request.Ticket?.Length ?? 0}");
        }

        var sectorUnpadded = new PaddedPieceSize(proof.SectorSize).Unpadded();
        ulong sum = 0;
        foreach (var piece in request.Pieces)
        {
            sum += piece.Size.Unpadded().Value;
        }

        if (sum != sectorUnpadded.Value)
        {
            throw new ProofsException($"aggregated piece sizes don't match sector size: {sum} != {sectorUnpadded.Value} ({(long)sectorUnpadded.Value - (long)sum})");
        }

        if (!File.Exists(request.UnsealedPath))
        {
            throw new ProofsException($"unsealed file {request.UnsealedPath} does not exist");
        }

        // Clean up a previous failed attempt, as Lotus does.
        if (Directory.Exists(request.CacheDir))
        {
            Directory.Delete(request.CacheDir, recursive: true);
        }

        Directory.CreateDirectory(request.CacheDir);

        byte[] commD;
        var data = new FileStream(request.UnsealedPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await using (data.ConfigureAwait(false))
        {
            var sealedFile = new FileStream(request.SealedPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (sealedFile.ConfigureAwait(false))
            {
                commD = await TreeD.BuildAsync(data, proof.SectorSize, CacheFiles.TreeD(request.CacheDir), sealedFile, cancellationToken).ConfigureAwait(false);
                sealedFile.SetLength((long)proof.SectorSize);
            }
        }

        var expected = CommD.Compute(proof.SectorSize, request.Pieces);
        if (!expected.AsSpan().SequenceEqual(commD))
        {
            throw new ProofsException($"pieces and comm_d do not match: the data's comm_d is {Multiformats.CommCid.ToPieceCid(commD)}, the pieces give {Multiformats.CommCid.ToPieceCid(expected)}");
        }

        var replicaId = ReplicaId.Compute(ProverId.FromActorId(request.MinerId), request.SectorNumber, request.Ticket, commD, proof.PoRepId.Span);
        using (var parents = await ParentCache.OpenOrCreateAsync(proof, parentCache, null, cancellationToken).ConfigureAwait(false))
        {
            if (batcher is not null && pool is null)
            {
                await batcher.LabelAsync(parents, replicaId, proof.Layers, request.CacheDir, kernel, cancellationToken).ConfigureAwait(false);
                return PreCommit1Output.ForCache(proof, request.CacheDir, commD, request.Ticket);
            }

            await Task.Factory.StartNew(
                () => pool is null
                    ? SdrLabeler.Label(parents, replicaId, proof.Layers, request.CacheDir, kernel, progress, cancellationToken)
                    : PooledSdrLabeler.Label(pool, parents, replicaId, proof.Layers, request.CacheDir, kernel, progress, cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
        }

        return PreCommit1Output.ForCache(proof, request.CacheDir, commD, request.Ticket);
    }
}
