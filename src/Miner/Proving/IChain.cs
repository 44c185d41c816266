namespace Kiln.Miner.Proving;

/// <summary>What proving needs of the chain: the current epoch, a way to wait for one, and PoSt randomness.</summary>
public interface IChain
{
    long CurrentEpoch { get; }

    /// <summary>Completes once the chain has reached <paramref name="epoch"/>.</summary>
    Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken);

    /// <summary>The Window PoSt challenge randomness of <paramref name="deadline"/> (drawn at its challenge epoch).</summary>
    byte[] WindowPoStRandomness(ulong minerId, DeadlineInfo deadline);

    /// <summary>The Winning PoSt randomness of a round at <paramref name="epoch"/>.</summary>
    byte[] WinningPoStRandomness(ulong minerId, long epoch);
}
