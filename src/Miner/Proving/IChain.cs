using Kiln.Api.Types;

namespace Kiln.Miner.Proving;

/// <summary>
/// What proving needs of the chain: its head, a way to wait for an epoch, the miner's current deadline, the
/// sectors a deadline must prove, and PoSt randomness. Implemented by the devnet's clock
/// (<see cref="DevnetProvingChain"/>) and by a Lotus full node (<see cref="FullNodeChain"/>).
/// </summary>
public interface IChain
{
    /// <summary>The epoch of the chain's head.</summary>
    Task<long> HeadEpochAsync(CancellationToken cancellationToken);

    /// <summary>Completes once the chain has reached <paramref name="epoch"/>.</summary>
    Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken);

    /// <summary>The miner's deadline at the head (Lotus <c>StateMinerProvingDeadline</c>).</summary>
    Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken);

    /// <summary>
    /// The sectors <paramref name="deadline"/> must prove, from the chain's partitions of that deadline; null when
    /// the chain assigns none (the devnet), and then a sector belongs to deadline <c>number mod 48</c>
    /// (<see cref="DeadlineInfo.ForSector"/>).
    /// </summary>
    Task<BitField?> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken);

    /// <summary>The Window PoSt challenge randomness of <paramref name="deadline"/> (drawn at its challenge epoch).</summary>
    Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken);

    /// <summary>The Winning PoSt randomness of a round at <paramref name="epoch"/>.</summary>
    Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken);
}
