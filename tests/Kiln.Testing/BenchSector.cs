using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Stores.Index;
using Kiln.Stores.Local;

namespace Kiln.Testing;

/// <summary>
/// The lotus-bench 2 KiB sector of Lotus cmd/lotus-bench/simple.go's example steps (<c>simpleCmd</c>'s Description: 2 KiB of zeros, miner t01000,
/// sector 1, and a zero ticket, as its printed PC1 output's <c>_lotus_SealRandomness</c> shows),
/// sealed by Kiln into a storage path and declared in the index; comm_d and comm_r are the CIDs that example prints.
/// </summary>
public static class BenchSector
{
    public const ulong Miner = 1000;

    /// <summary>The sealed CID of the sector (comm_r).</summary>
    public const string CommR = "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c";

    /// <summary>The unsealed CID of the sector (comm_d).</summary>
    public const string CommD = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";

    /// <summary>
    /// Attaches <paramref name="root"/> to <paramref name="store"/>, seals sector <paramref name="number"/> into it
    /// (scratch files under <paramref name="work"/>) and declares its sealed file and cache.
    /// </summary>
    public static async Task<LocalStorageMeta> SealAsync(LocalStore store, ISectorIndex index, string root, string work, ulong number = 1, CancellationToken ct = default)
    {
        var meta = await store.AttachAsync(root, init: true, canSeal: true, canStore: true, ct: ct);
        var info = SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1);
        var unsealed = Path.Combine(Directory.CreateDirectory(work).FullName, "unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, 2048, [], new UnpaddedPieceSize(2032), new MemoryStream(new byte[2032]), ct)).Piece;
        var name = new SectorId(Miner, number).ToSectorName();
        var cache = Path.Combine(root, "cache", name);
        var sealedPath = Path.Combine(root, "sealed", name);
        var pc1 = await PreCommit1.RunAsync(
            new PreCommit1Request(info, unsealed, sealedPath, cache, Miner, number, new byte[32], [piece]), new ParentCacheOptions { Directory = Path.Combine(work, "parents") });
        var sealedCid = (await PreCommit2.RunAsync(pc1, cache, sealedPath)).SealedCid;
        if (number == 1 && sealedCid != CommR)
        {
            throw new InvalidOperationException($"sealed CID {sealedCid} is not the lotus-bench vector {CommR}");
        }

        await index.StorageDeclareSectorAsync(meta.ID, new SectorId(Miner, number), SectorFileType.Sealed | SectorFileType.Cache, true, ct);
        return meta;
    }
}
