using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Stores.PoSt;

/// <summary>
/// Where a sector's fallback-PoSt vanilla proof comes from (Lotus storage/paths Store.GenerateSingleVanillaProof):
/// this host's paths first, then the holders the index names (<see cref="Remote.VanillaProofReader"/>).
/// </summary>
public interface IVanillaSource
{
    /// <summary>One sector's vanilla proof for the challenges the miner derived.</summary>
    /// <exception cref="Exception">Any failure (no holder, I/O, a failing proof) means the sector cannot be read now.</exception>
    Task<byte[]> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken);
}
