using Kiln.Api.Types;
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

    public Task<long> HeadEpochAsync(CancellationToken cancellationToken) => Task.FromResult(CurrentEpoch);

    /// <summary>The deadline open at the current epoch, every miner's periods starting at epoch 0.</summary>
    public Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken) => Task.FromResult(DeadlineInfo.At(CurrentEpoch));

    /// <summary>Always null: the devnet has no partitions, a sector proves in deadline <c>number mod 48</c>.</summary>
    public Task<BitField?> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken) => Task.FromResult<BitField?>(null);

    public Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken) =>
        Task.FromResult(WindowPoStRandomness(minerId, deadline));

    public Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken) =>
        Task.FromResult(WinningPoStRandomness(minerId, epoch));
}
