namespace Kiln.Miner.Chain;

/// <summary>
/// What the miner needs of the chain, for sealing and for proving: its head, a way to wait for an epoch, the seal
/// ticket and interactive seed of a sector, the miner's current deadline, which deadline proves which sectors, and
/// PoSt randomness. One instance serves the sealing pipeline and the proving loop, so a miner configured with a full
/// node never seals with devnet randomness. Implemented by <see cref="FullNodeChain"/> over a Lotus full node or over the in-process devnet chain
/// (<see cref="Devnet.DevnetNode"/>). Message submission (pre-commit, prove-commit, Window PoSt) is not part of it yet.
/// </summary>
/// <remarks>
/// A chain that cannot answer throws <see cref="ChainException"/>; its <see cref="ChainException.IsRetryable"/> says
/// whether asking again later may help.
/// </remarks>
public interface IChain
{
    /// <summary>The epoch of the chain's head.</summary>
    Task<long> HeadEpochAsync(CancellationToken cancellationToken);

    /// <summary>Completes once the chain has reached <paramref name="epoch"/>.</summary>
    Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken);

    /// <summary>
    /// The seal ticket of a sector about to be pre-committed: chain randomness for <c>SealRandomness</c> drawn
    /// <see cref="ChainPolicy.SealRandomnessLookback"/> epochs behind the head (Lotus storage/pipeline/states_sealing.go
    /// getTicket, StateGetRandomnessFromTickets), with the epoch it was drawn at.
    /// </summary>
    Task<ChainRandomness> SealTicketAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken);

    /// <summary>
    /// The interactive seal seed of a sector pre-committed at <paramref name="preCommitEpoch"/>: beacon randomness for
    /// <c>InteractiveSealChallengeSeed</c> at <c>preCommitEpoch + </c><see cref="ChainPolicy.PreCommitChallengeDelay"/>,
    /// available only once the chain is past that epoch (Lotus storage/pipeline/states_sealing.go handleWaitSeed); may
    /// wait for it.
    /// </summary>
    Task<ChainRandomness> InteractiveSeedAsync(ulong minerId, ulong sectorNumber, long preCommitEpoch, CancellationToken cancellationToken);

    /// <summary>The miner's deadline at the head (Lotus <c>StateMinerProvingDeadline</c>).</summary>
    Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken);

    /// <summary>
    /// Of <paramref name="sectors"/> (the miner's proving sectors), those the Window PoSt of <paramref name="deadline"/>
    /// must prove: on a full node those its partitions hold live and not faulty, or faulty and recovering
    /// (<see cref="Partition.ToProve"/>), on a Lotus node as on the in-process devnet chain.
    /// </summary>
    Task<IReadOnlyList<ulong>> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken);

    /// <summary>
    /// The deadline index (0 to <see cref="DeadlineInfo.WPoStPeriodDeadlines"/> − 1) each of <paramref name="sectors"/>
    /// is assigned to at the head; a sector the chain assigns to no deadline is left out. For counts per deadline.
    /// </summary>
    Task<IReadOnlyDictionary<ulong, int>> SectorDeadlinesAsync(ulong minerId, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken);

    /// <summary>The Window PoSt challenge randomness of <paramref name="deadline"/> (drawn at its challenge epoch).</summary>
    Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken);

    /// <summary>The Winning PoSt randomness of a round at <paramref name="epoch"/>.</summary>
    Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken);
}
