using Kiln.Miner.Sealing;

namespace Kiln.Miner.Proving;

/// <summary>
/// The devnet's chain clock: epochs of <see cref="ProvingOptions.EpochDuration"/> counted from a genesis time on the
/// injected <see cref="TimeProvider"/>, and randomness derived from the devnet seed per challenge epoch, so a
/// devnet run is reproducible. Not a real chain.
/// </summary>
public sealed class DevnetProvingChain(DevnetChain seed, TimeProvider time, TimeSpan epochDuration, DateTimeOffset genesis) : IChain
{
    public TimeSpan EpochDuration { get; } = epochDuration > TimeSpan.Zero ? epochDuration : throw new ArgumentOutOfRangeException(nameof(epochDuration));

    public DateTimeOffset Genesis { get; } = genesis;

    public long CurrentEpoch => Math.Max(0, (time.GetUtcNow() - Genesis).Ticks / EpochDuration.Ticks);

    public async Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken)
    {
        var wait = Genesis + (EpochDuration * epoch) - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public byte[] WindowPoStRandomness(ulong minerId, DeadlineInfo deadline)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        return seed.PoStRandomnessFor("window", minerId, deadline.Challenge);
    }

    public byte[] WinningPoStRandomness(ulong minerId, long epoch) => seed.PoStRandomnessFor("winning", minerId, epoch);
}
