using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Stores;
using Kiln.Stores.Remote;

namespace Kiln.Miner.Proving;

/// <summary>
/// Vanilla proofs for the miner's own proving: from its own storage paths first, else from the hosts the index
/// names through their <c>POST /remote/vanilla/single</c> (<see cref="VanillaProofReader"/>); a sector no host
/// can prove is reported unreadable (null), never thrown, so the batch goes on without it.
/// </summary>
public sealed partial class StorageVanillaSource(VanillaProofReader reader, ILogger<StorageVanillaSource> logger) : IVanillaSource
{
    public async Task<byte[]?> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sector);
        try
        {
            return await reader.ReadAsync(minerId, proofType, sector, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StoresException or Kiln.Proofs.ProofsException or IOException or HttpRequestException)
        {
            Log.Unreadable(logger, sector.SectorNumber, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6011, EventName = "VanillaProofUnreadable", Level = LogLevel.Warning, Message = "vanilla proof of sector {Sector} unreadable: {Reason}")]
        public static partial void Unreadable(ILogger logger, ulong sector, string reason);
    }
}
