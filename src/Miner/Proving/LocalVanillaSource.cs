using Kiln.Api.Types;
using Kiln.Proofs.Cid;
using Kiln.Proofs.Post;
using Kiln.Stores.Local;

namespace Kiln.Miner.Proving;

/// <summary>Vanilla proofs from the miner's own storage paths: the sector's sealed file and cache, proven here.</summary>
public sealed partial class LocalVanillaSource(LocalStore store, ILogger<LocalVanillaSource> logger) : IVanillaSource
{
    public async Task<byte[]?> ReadAsync(ulong minerId, Kiln.Api.Types.RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sector);
        if (sector.Update)
        {
            Log.Unreadable(logger, sector.SectorNumber, "updated (snap) sectors are not supported");
            return null;
        }

        var types = SectorFileType.Sealed | SectorFileType.Cache;
        var acquired = await store.AcquireSectorAsync(new SectorRef(new SectorId(minerId, sector.SectorNumber), sector.SealProof), types, SectorFileType.None, PathType.Storage, cancellationToken).ConfigureAwait(false);
        if ((types & ~acquired.Paths.Present) != SectorFileType.None)
        {
            Log.Unreadable(logger, sector.SectorNumber, "sealed file or cache not in the miner's storage");
            return null;
        }

        var replica = new PrivateReplicaInfo(
            (Kiln.Proofs.Post.RegisteredPoStProof)(long)proofType,
            acquired.Paths.Cache,
            CommCid.ParseSealedCid(sector.SealedCID.ToString()),
            acquired.Paths.Sealed,
            sector.SectorNumber);
        var challenges = (sector.Challenge ?? []).ToArray();
        try
        {
            return await Task.Run(() => VanillaPoSt.GenerateSingleVanillaProof(replica, challenges), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or Kiln.Proofs.ProofsException)
        {
            Log.Unreadable(logger, sector.SectorNumber, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(210, LogLevel.Warning, "vanilla proof of sector {Sector} unreadable: {Reason}")]
        public static partial void Unreadable(ILogger logger, ulong sector, string reason);
    }
}
