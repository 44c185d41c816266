using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Miner.Proving;

/// <summary>Reads one sector's fallback-PoSt vanilla proof for the challenges the miner derived (null: not readable).</summary>
public interface IVanillaSource
{
    Task<byte[]?> ReadAsync(ulong minerId, RegisteredPoStProof proofType, PostSectorChallenge sector, CancellationToken cancellationToken);
}
